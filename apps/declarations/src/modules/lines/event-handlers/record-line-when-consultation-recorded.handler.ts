import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { ConsultationRecorded, ConsultationRecordedV1, EventEnvelope } from '@draaiboek/contracts';
import { BATCH, BatchHandlerContext } from '@draaiboek/messaging';
import { TariffTable } from '../../tariffs/tariff-table';
import { routePayer } from '../domain/payer-routing';

/** The columns of a new line, in the order of the unnest() below. */
const LINE_COLUMNS = [
  ['id', 'uuid'],
  ['consultation_id', 'uuid'],
  ['session_id', 'uuid'],
  ['central_location_id', 'uuid'],
  ['gp_agb', 'text'],
  ['practice_agb', 'text'],
  ['date_of_care', 'date'],
  ['performance_code', 'text'],
  ['duration_class', 'text'],
  ['payer', 'text'],
  ['payer_scheme', 'text'],
  ['amount_cents', 'bigint'],
  ['tariff_version', 'text'],
  ['status', 'text'],
  ['problem', 'text'],
  ['patient_pseudonym', 'text'],
  ['encrypted_bsn', 'jsonb'],
] as const;

const INSERT_LINES = `INSERT INTO declaration_lines (${LINE_COLUMNS.map(([name]) => name).join(', ')})
  SELECT * FROM unnest(${LINE_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
  ON CONFLICT (consultation_id) WHERE corrects_line_id IS NULL DO NOTHING`;

/**
 * Each consultation at a central location becomes exactly one declaration line, however often
 * its event arrives: the inbox absorbs redeliveries, and the unique consultation id absorbs a
 * replay of the topic. A code without a tariff still becomes a line, marked for attention:
 * nothing is lost, and nobody has to redo the GP's paperwork.
 *
 * Consultations come in volume (every consultation of every central location), so they are
 * applied as a batch: one INSERT per fetched chunk instead of one round trip per consultation.
 */
@Controller()
export class RecordLineWhenConsultationRecordedHandler {
  constructor(@Inject(TariffTable) private readonly tariffs: TariffTable) {}

  @EventPattern(ConsultationRecorded.v1.type, BATCH)
  async handle(@Payload() events: Array<EventEnvelope<ConsultationRecordedV1>>, @Ctx() tx: BatchHandlerContext): Promise<void> {
    const columns: unknown[][] = LINE_COLUMNS.map(() => []);
    for (const event of events) {
      const c = event.data;
      const rule = routePayer(c.dateOfCare, c.payerStatus);
      const tariff = this.tariffs.lookup(c.performanceCode, rule.payer, c.dateOfCare);
      const row = [
        randomUUID(),
        c.consultationId,
        c.sessionId,
        c.centralLocationId,
        c.gpAgb,
        c.practiceAgb,
        c.dateOfCare,
        c.performanceCode,
        c.durationClass,
        rule.payer,
        rule.scheme,
        tariff.ok ? tariff.amountCents : null,
        tariff.ok ? tariff.version : null,
        tariff.ok ? 'open' : 'needs-attention',
        tariff.ok ? null : tariff.message,
        c.patientPseudonym,
        c.encryptedBsn ? JSON.stringify(c.encryptedBsn) : null,
      ];
      row.forEach((value, i) => columns[i].push(value));
    }
    await tx.manager.query(INSERT_LINES, columns);
  }
}
