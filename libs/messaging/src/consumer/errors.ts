/**
 * A handler throws this when retrying cannot help (the event contradicts what the service
 * knows). The message goes to the dead-letter topic at once instead of after the retries.
 */
export class PermanentEventError extends Error {
  /** Becomes the dead letter's `dlq-reason` header, e.g. `reference-conflict`. */
  readonly reason: string;

  constructor(message: string, reason = 'rejected-by-handler') {
    super(message);
    this.name = 'PermanentEventError';
    this.reason = reason;
  }
}
