/**
 * A handler throws this when retrying cannot help (the event contradicts what the service
 * knows). The message goes to the dead-letter topic at once instead of after the retries.
 */
export class PermanentEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentEventError';
  }
}
