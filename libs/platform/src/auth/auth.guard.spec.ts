import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRegistry, sha256Hex } from './api-keys';
import { Access } from './access-table';
import { AuthGuard, Public } from './auth.guard';

const registry = ApiKeyRegistry.fromConfig(
  JSON.stringify([
    { id: 'gm0114', sha256: sha256Hex('emmen-key'), roles: ['municipality'], municipalityCode: 'GM0114' },
    { id: 'coord', sha256: sha256Hex('coord-key'), roles: ['coordination'] },
    { id: 'planner', sha256: sha256Hex('planner-key'), roles: ['scheduler'] },
  ]),
  undefined,
);

class Handlers {
  @Access('alerts', 'read')
  coordinationOnly(): string {
    return 'coordination';
  }
  @Access('shifts', 'read')
  anyPrincipal(): string {
    return 'any';
  }
  withoutRule(): string {
    return 'forgotten';
  }
  @Public()
  health(): string {
    return 'ok';
  }
}

function context(handler: keyof Handlers, authorization?: string): { ctx: ExecutionContext; request: Record<string, unknown> } {
  const request: Record<string, unknown> = { headers: authorization ? { authorization } : {} };
  const ctx = {
    getType: () => 'http',
    getHandler: () => Handlers.prototype[handler],
    getClass: () => Handlers,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { ctx, request };
}

describe('AuthGuard: every HTTP endpoint sits behind it, deny by default', () => {
  const guard = new AuthGuard(new Reflector(), registry);

  it('refuses a request without a credential', () => {
    expect(() => guard.canActivate(context('anyPrincipal').ctx)).toThrow(UnauthorizedException);
  });

  it('refuses an unknown key', () => {
    expect(() => guard.canActivate(context('anyPrincipal', 'Bearer nope').ctx)).toThrow(UnauthorizedException);
  });

  it('attaches the principal of a known key, with its municipality', () => {
    const { ctx, request } = context('coordinationOnly', 'Bearer coord-key');
    expect(guard.canActivate(ctx)).toBe(true);
    expect(request.principal).toEqual(expect.objectContaining({ id: 'coord', roles: ['coordination'] }));
    const emmen = context('coordinationOnly', 'Bearer emmen-key');
    expect(() => guard.canActivate(emmen.ctx)).toThrow(ForbiddenException);
    expect(emmen.request.principal).toEqual(expect.objectContaining({ id: 'gm0114', municipalityCode: 'GM0114' }));
  });

  it('lets a role through only where the access table allows it', () => {
    expect(() => guard.canActivate(context('coordinationOnly', 'Bearer planner-key').ctx)).toThrow(ForbiddenException);
    expect(guard.canActivate(context('anyPrincipal', 'Bearer planner-key').ctx)).toBe(true);
    expect(() => guard.canActivate(context('anyPrincipal', 'Bearer emmen-key').ctx)).toThrow(ForbiddenException);
  });

  it('refuses every principal on an endpoint without a rule in the access table', () => {
    expect(() => guard.canActivate(context('withoutRule', 'Bearer coord-key').ctx)).toThrow(/no rule in the access table/);
  });

  it('records the person a machine client acts for, and refuses an unreadable one', () => {
    const { ctx, request } = context('anyPrincipal', 'Bearer planner-key');
    (request.headers as Record<string, string>)['x-on-behalf-of'] = 'coordinator@ggd.example';
    expect(guard.canActivate(ctx)).toBe(true);
    expect(request.principal).toEqual(expect.objectContaining({ id: 'planner', responsibleUserId: 'coordinator@ggd.example' }));
    const bad = context('anyPrincipal', 'Bearer planner-key');
    (bad.request.headers as Record<string, string>)['x-on-behalf-of'] = 'a b\n';
    expect(() => guard.canActivate(bad.ctx)).toThrow(UnauthorizedException);
  });

  it('lets anyone reach an endpoint marked public', () => {
    expect(guard.canActivate(context('health').ctx)).toBe(true);
  });
});

describe('ApiKeyRegistry configuration', () => {
  it('rejects a key entry with an unknown role or a plaintext key', () => {
    expect(() => ApiKeyRegistry.fromConfig(JSON.stringify([{ id: 'x', sha256: sha256Hex('k'), roles: ['admin'] }]), undefined)).toThrow(/roles/);
    expect(() => ApiKeyRegistry.fromConfig(JSON.stringify([{ id: 'x', sha256: 'plaintext', roles: ['finance'] }]), undefined)).toThrow(/sha256/);
    expect(() => ApiKeyRegistry.fromConfig('not json', undefined)).toThrow(/JSON/);
  });
});

describe('machine credentials the coordination issues, rotates and revokes (tools/credentials/api-keys.js)', () => {
  const tool = join(__dirname, '../../../../tools/credentials/api-keys.js');
  const keys = (args: string[]) => execFileSync(process.execPath, [tool, ...args], { encoding: 'utf8' });
  const keyIn = (output: string) => (/: (\S+)\n/.exec(output) ?? [])[1] as string;

  it('takes effect in running services without a restart: issue, rotate with a grace period, revoke', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'api-keys-')), 'api-keys.json');
    let now = Date.now();
    const later = (ms: number) => (now += ms);

    const first = keyIn(keys(['issue', '--file', file, '--id', 'planner', '--role', 'scheduler']));
    const registry = ApiKeyRegistry.fromConfig(undefined, file, () => now);
    expect(registry.authenticate(first)).toEqual(expect.objectContaining({ id: 'planner', roles: ['scheduler'] }));

    const second = keyIn(keys(['rotate', '--file', file, '--id', 'planner', '--grace-hours', '1']));
    later(2_500);
    expect(registry.authenticate(second)).toEqual(expect.objectContaining({ id: 'planner', roles: ['scheduler'] }));
    expect(registry.authenticate(first)).toBeDefined(); // still within the grace period
    // The old key's end is an hour after the rotation ran: one moment past it, it no longer works.
    const notAfter = Date.parse((JSON.parse(readFileSync(file, 'utf8')) as Array<{ notAfter?: string }>)[0].notAfter as string);
    expect(notAfter).toBeGreaterThan(Date.now() + 3_500_000);
    now = notAfter + 1;
    expect(registry.authenticate(first)).toBeUndefined();
    expect(registry.authenticate(second)).toBeDefined();

    keys(['revoke', '--file', file, '--id', 'planner']);
    later(2_500);
    expect(registry.authenticate(second)).toBeUndefined();
    expect(keys(['list', '--file', file])).toBe('');
  });

  it('keeps the keys in force when the changed file does not parse, and says why', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'api-keys-')), 'api-keys.json');
    let now = Date.now();
    const key = keyIn(keys(['issue', '--file', file, '--id', 'finance-system', '--role', 'finance']));
    const registry = ApiKeyRegistry.fromConfig(undefined, file, () => now);
    writeFileSync(file, '[{"id": "broken"');
    now += 2_500;
    expect(registry.authenticate(key)).toEqual(expect.objectContaining({ id: 'finance-system' }));
    expect(registry.lastReloadError).toMatch(/not valid JSON/);
  });
});
