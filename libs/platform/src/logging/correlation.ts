import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface CorrelationScope {
  correlationId: string;
  /** Id of the request or event being handled: the cause of anything produced now. */
  causationId?: string;
}

const storage = new AsyncLocalStorage<CorrelationScope>();

export function runWithCorrelation<T>(scope: CorrelationScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentCorrelation(): CorrelationScope | undefined {
  return storage.getStore();
}

export function newCorrelationId(): string {
  return randomUUID();
}
