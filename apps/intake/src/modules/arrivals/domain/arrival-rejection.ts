/** Why intake refuses an announcement or a change, whichever door it came through. */
export type RejectionCode =
  | 'forbidden-municipality'
  | 'unknown-municipality'
  | 'invalid-announcement'
  | 'reference-conflict'
  | 'unknown-group'
  | 'group-not-active'
  | 'invalid-change';

export class ArrivalRejection extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ArrivalRejection';
  }
}
