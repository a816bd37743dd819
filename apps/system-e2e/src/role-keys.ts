import { TestApiKey } from '@draaiboek/messaging/testing';
import { HttpRoute, Role, rolesAllowed, ROLES } from '@draaiboek/platform';

/** One key per role, carrying the scope a real key of that role would carry. */
export const ROLE_KEYS: TestApiKey[] = ROLES.map((role) => ({
  id: `walk-${role}`,
  key: `walk-key-${role}`,
  roles: [role],
  ...(role === 'municipality' ? { municipalityCode: 'GM0114' } : {}),
  ...(role === 'practice' ? { practiceAgb: '01000001' } : {}),
  ...(role === 'gp' ? { gpAgb: '01000002' } : {}),
}));

export const keyOf = (role: Role): string => (ROLE_KEYS.find((k) => k.roles[0] === role) as TestApiKey).key;

/** A key the access table lets through to the route (the first role it lists). */
export function keyFor(route: HttpRoute): string {
  const allowed = route.rule ? rolesAllowed(route.rule) : undefined;
  return keyOf(allowed?.[0] ?? 'coordination');
}
