import { SetMetadata } from '@nestjs/common';
import { Role } from './principal';

/**
 * The one access table: resource × action → the roles allowed. Every HTTP endpoint of every
 * service names its rule with `@Access(resource, action)`; the AuthGuard looks the roles up here
 * and refuses an endpoint that names no rule. Scope checks (a municipality sees its own groups,
 * a GP its own shifts) stay in the handlers; this table says who may try at all.
 * `tools/architecture`'s access-table test walks every endpoint of every service with every role.
 */
export const ACCESS_TABLE = {
  // intake
  arrivals: { announce: ['municipality', 'coordination'] },
  groups: { read: ['municipality', 'coordination'], change: ['municipality', 'coordination'] },
  locations: { read: ['municipality', 'coordination'], 'set-capacity': ['municipality', 'coordination'] },
  'intake-totals': { read: ['municipality', 'coordination'] },
  // practice-notification
  caseload: { report: ['practice', 'coordination'], read: ['practice', 'coordination'] },
  notifications: { read: ['practice', 'coordination'], decide: ['practice', 'coordination'] },
  alerts: { read: ['coordination'] },
  mail: { read: ['coordination'] },
  people: { lookup: ['sign-in'] },
  'practice-directory': { read: ['coordination', 'practice', 'gp', 'scheduler', 'instance', 'municipality', 'finance'], import: ['coordination'], export: ['coordination'] },
  'gp-directory': { import: ['coordination'], export: ['coordination'] },
  // clinic-scheduling
  'central-locations': { open: ['coordination'], read: ['coordination'] },
  checklist: { read: ['coordination'], plan: ['coordination'], complete: ['coordination'], override: ['coordination'] },
  cadence: { set: ['coordination'], evaluate: ['coordination'], approve: ['coordination'], reject: ['coordination'] },
  sessions: { schedule: ['coordination'] },
  consultations: { record: ['gp', 'coordination'], 'record-no-shows': ['gp', 'coordination'] },
  'weekly-evaluation': { read: ['coordination'] },
  roster: { plan: ['coordination'], publish: ['coordination'], burden: ['coordination'] },
  shifts: { read: ['coordination', 'scheduler', 'gp', 'practice'], release: ['gp', 'coordination'], swap: ['gp', 'coordination'], calendar: ['gp', 'coordination', 'scheduler'] },
  'gp-preferences': { set: ['gp', 'coordination'], read: ['gp', 'coordination'] },
  // declarations
  'declaration-lines': { totals: ['coordination', 'finance'], correct: ['finance', 'coordination'], reconcile: ['finance', 'coordination'] },
  batches: { close: ['finance', 'coordination'], read: ['finance', 'coordination'], lines: ['finance'], export: ['finance'], outcome: ['finance'] },
  // every service: the NEN 7513 audit log of person-level data
  audit: { read: ['coordination'] },
} as const satisfies Record<string, Record<string, readonly Role[]>>;

export type AccessResource = keyof typeof ACCESS_TABLE;
export type AccessAction<R extends AccessResource> = keyof (typeof ACCESS_TABLE)[R] & string;
export interface AccessRule {
  resource: string;
  action: string;
}

export const ACCESS_RULE_KEY = 'draaiboek:access-rule';

/** Names the endpoint's rule in `ACCESS_TABLE`. Checked at compile time against the table. */
export const Access = <R extends AccessResource>(resource: R, action: AccessAction<R>) =>
  SetMetadata(ACCESS_RULE_KEY, { resource, action } satisfies AccessRule);

/** The roles a rule allows, or undefined when the table has no such rule. */
export function rolesAllowed(rule: AccessRule): readonly Role[] | undefined {
  const actions = (ACCESS_TABLE as Record<string, Record<string, readonly Role[]>>)[rule.resource];
  return actions && Object.prototype.hasOwnProperty.call(actions, rule.action) ? actions[rule.action] : undefined;
}

/** Every rule of the table, flattened, for tests and documentation. */
export function accessRules(): Array<AccessRule & { roles: readonly Role[] }> {
  return Object.entries(ACCESS_TABLE).flatMap(([resource, actions]) =>
    Object.entries(actions as Record<string, readonly Role[]>).map(([action, roles]) => ({ resource, action, roles })),
  );
}
