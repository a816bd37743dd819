import type { Role } from '@draaiboek/platform';

/** A signed-in person, as the directory and configuration know them. */
export interface Person {
  /** Recorded by the services as who acted; never the e-mail address. */
  id: string;
  name?: string;
  roles: Role[];
  practiceAgb?: string;
  hagroCode?: string;
  gpAgb?: string;
}

export const PERSON_ROLES: readonly Role[] = ['coordination', 'practice', 'gp', 'finance'];

/**
 * One person may hold several identities under one address (a GP who is also the practice's
 * contact person): they sign in once, with every role.
 */
export function mergeIdentities(identities: Person[]): Person | undefined {
  if (identities.length === 0) return undefined;
  const practice = identities.find((i) => i.roles.includes('practice') && i.practiceAgb);
  const hagro = identities.find((i) => i.hagroCode);
  const gp = identities.find((i) => i.roles.includes('gp') && i.gpAgb);
  return {
    id: identities[0].id,
    name: identities.find((i) => i.name)?.name,
    roles: [...new Set(identities.flatMap((i) => i.roles))].filter((r) => PERSON_ROLES.includes(r)),
    ...(practice ? { practiceAgb: practice.practiceAgb } : {}),
    ...(hagro ? { hagroCode: hagro.hagroCode } : {}),
    ...(gp ? { gpAgb: gp.gpAgb } : {}),
  };
}
