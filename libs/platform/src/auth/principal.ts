export const ROLES = ['coordination', 'municipality', 'practice', 'gp', 'scheduler', 'finance', 'instance', 'sign-in'] as const;
// 'sign-in': the web app looking up who owns an e-mail address (docs/decisions/0013).
export type Role = (typeof ROLES)[number];

/** Who is calling. Municipal systems carry their municipality; practice users their practice. */
export interface Principal {
  id: string;
  roles: Role[];
  municipalityCode?: string;
  practiceAgb?: string;
  /** A hagro coordinator decides for all practices of the hagro. */
  hagroCode?: string;
  gpAgb?: string;
  /**
   * The person on whose behalf the principal acts (NEN 7513's "responsible user"): a machine
   * client names them in `X-On-Behalf-Of`. Absent: the principal answers for itself.
   */
  responsibleUserId?: string;
}
