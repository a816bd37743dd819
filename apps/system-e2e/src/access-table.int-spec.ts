import request from 'supertest';
import { RunningService } from '@draaiboek/messaging';
import { createTestSystem, TestSystem } from '@draaiboek/messaging/testing';
import { accessRules, HttpRoute, listHttpRoutes, Role, rolesAllowed, ROLES, ServiceConfig } from '@draaiboek/platform';
import { keyOf, ROLE_KEYS } from './role-keys';
import { clinicSchedulingService, declarationsService, intakeService, practiceNotificationService } from './all-services';

jest.setTimeout(180_000);

/** A value for any path parameter; the guard runs before parameter pipes. */
const concretePath = (path: string) => path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');

function send(service: RunningService<ServiceConfig>, route: HttpRoute, role?: Role) {
  const agent = request(service.url);
  const path = concretePath(route.path);
  const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  let req = agent[method](path);
  if (role) req = req.set('Authorization', `Bearer ${keyOf(role)}`);
  return method === 'get' || method === 'delete' ? req : req.send({});
}

describe('the access table: every HTTP endpoint of every service, walked with every role', () => {
  let system: TestSystem;
  const services: Array<RunningService<ServiceConfig>> = [];

  beforeAll(async () => {
    system = await createTestSystem({ apiKeys: ROLE_KEYS });
    for (const definition of [intakeService, practiceNotificationService, clinicSchedulingService, declarationsService]) {
      services.push((await system.start(definition as never)) as RunningService<ServiceConfig>);
    }
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('finds the endpoints of every service from Nest\'s own metadata', () => {
    for (const service of services) {
      expect(listHttpRoutes(service.app).filter((r) => !r.public).length).toBeGreaterThan(0);
    }
  });

  it('gives every endpoint a rule that exists in the table, and leaves no rule unused', () => {
    const used = new Set<string>();
    const problems: string[] = [];
    for (const service of services) {
      for (const route of listHttpRoutes(service.app)) {
        if (route.public) continue;
        const where = `${service.name} ${route.method} ${route.path} (${route.controller}.${route.handler})`;
        if (!route.rule) problems.push(`${where} has no @Access rule`);
        else if (!rolesAllowed(route.rule)) problems.push(`${where} names ${route.rule.resource}:${route.rule.action}, which the table lacks`);
        else used.add(`${route.rule.resource}:${route.rule.action}`);
      }
    }
    expect(problems).toEqual([]);
    expect(accessRules().map((r) => `${r.resource}:${r.action}`).filter((rule) => !used.has(rule))).toEqual([]);
  });

  it('answers every endpoint as the table says: 401 without a key, 403 for a role it does not list, and past the guard for one it does', async () => {
    const mismatches: string[] = [];
    let walked = 0;
    for (const service of services) {
      for (const route of listHttpRoutes(service.app)) {
        const where = `${service.name} ${route.method} ${route.path}`;
        const anonymous = await send(service, route);
        if (route.public) {
          if (anonymous.status === 401 || anonymous.status === 403) mismatches.push(`${where} is public but answered ${anonymous.status}`);
          continue;
        }
        if (anonymous.status !== 401) mismatches.push(`${where} without a key: ${anonymous.status}, expected 401`);
        const allowed = route.rule ? (rolesAllowed(route.rule) ?? []) : [];
        for (const role of ROLES) {
          const response = await send(service, route, role);
          walked += 1;
          const deniedByTable = response.status === 403 && typeof response.body?.access === 'string';
          if (response.status >= 500) mismatches.push(`${where} as ${role}: ${response.status}`);
          if (allowed.includes(role) && (deniedByTable || response.status === 401)) mismatches.push(`${where} as ${role}: refused (${response.status}) but the table allows it`);
          if (!allowed.includes(role) && !deniedByTable) mismatches.push(`${where} as ${role}: ${response.status}, expected the table's 403`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(walked).toBeGreaterThanOrEqual(50 * ROLES.length);
  });
});
