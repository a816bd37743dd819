import { EntityManager } from 'typeorm';
import {
  createEnvelope,
  describeFieldErrors,
  EventContract,
  EventEnvelope,
  validateAgainst,
} from '@draaiboek/contracts';
import { currentCorrelation, currentTraceHeaders } from '@draaiboek/platform';
import { OutboxRecord } from './outbox-record.orm-entity';

export class ContractViolationError extends Error {
  constructor(type: string, details: string) {
    super(`Refusing to publish ${type}: ${details}`);
    this.name = 'ContractViolationError';
  }
}

/**
 * Adds events to the outbox inside the caller's transaction. Nothing reaches Kafka unless
 * the state change that caused it commits; the relay publishes after commit.
 */
export class OutboxWriter {
  constructor(private readonly source: string) {}

  async append<T extends object>(
    manager: EntityManager,
    contract: EventContract<T>,
    data: T,
    options: { id?: string; time?: Date } = {},
  ): Promise<EventEnvelope<T>> {
    const checked = validateAgainst(contract.dataClass, data);
    if (!checked.ok) throw new ContractViolationError(contract.type, describeFieldErrors(checked.errors));
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxWriter.append must run inside the transaction of the state change');
    }
    const scope = currentCorrelation();
    const envelope = createEnvelope({
      id: options.id,
      time: options.time,
      type: contract.type,
      source: this.source,
      subject: contract.subjectOf(data),
      data: { ...data },
      correlationId: scope?.correlationId,
      causationId: scope?.causationId,
    });
    await manager.insert(OutboxRecord, {
      eventId: envelope.id,
      eventType: envelope.type,
      topic: contract.topic.name,
      messageKey: envelope.subject,
      envelope,
      traceContext: currentTraceHeaders() ?? null,
    });
    return envelope;
  }
}
