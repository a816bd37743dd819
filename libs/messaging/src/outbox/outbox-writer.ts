import { EntityManager } from 'typeorm';
import {
  createEnvelope,
  describeFieldErrors,
  EventContract,
  EventEnvelope,
  validateAgainst,
} from '@draaiboek/contracts';
import { currentCorrelation, currentTraceHeaders } from '@draaiboek/platform';

export class ContractViolationError extends Error {
  constructor(type: string, details: string) {
    super(`Refusing to publish ${type}: ${details}`);
    this.name = 'ContractViolationError';
  }
}

/** The outbox columns one INSERT fills, for one row or many (unnest keeps it one statement). */
const INSERT_OUTBOX = `INSERT INTO outbox (event_id, event_type, topic, message_key, envelope, trace_context)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[])`;

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
    const [envelope] = await this.write(manager, contract, [this.envelopeOf(contract, data, options)]);
    return envelope;
  }

  /** Several events of one contract in one statement (a handler that tells many practices at once). */
  async appendMany<T extends object>(manager: EntityManager, contract: EventContract<T>, data: readonly T[]): Promise<Array<EventEnvelope<T>>> {
    if (data.length === 0) return [];
    return this.write(manager, contract, data.map((d) => this.envelopeOf(contract, d, {})));
  }

  private envelopeOf<T extends object>(contract: EventContract<T>, data: T, options: { id?: string; time?: Date }): EventEnvelope<T> {
    const checked = validateAgainst(contract.dataClass, data);
    if (!checked.ok) throw new ContractViolationError(contract.type, describeFieldErrors(checked.errors));
    const scope = currentCorrelation();
    return createEnvelope({
      id: options.id,
      time: options.time,
      type: contract.type,
      source: this.source,
      subject: contract.subjectOf(data),
      data: { ...data },
      correlationId: scope?.correlationId,
      causationId: scope?.causationId,
    });
  }

  private async write<T extends object>(manager: EntityManager, contract: EventContract<T>, envelopes: Array<EventEnvelope<T>>): Promise<Array<EventEnvelope<T>>> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxWriter.append must run inside the transaction of the state change');
    }
    const trace = currentTraceHeaders() ?? null;
    await manager.query(INSERT_OUTBOX, [
      envelopes.map((e) => e.id),
      envelopes.map((e) => e.type),
      envelopes.map(() => contract.topic.name),
      envelopes.map((e) => e.subject),
      envelopes.map((e) => JSON.stringify(e)),
      envelopes.map(() => (trace ? JSON.stringify(trace) : null)),
    ]);
    return envelopes;
  }
}
