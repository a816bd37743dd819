import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsultationRecorded, ConsultationRecordedV1, EventEnvelope } from '@draaiboek/contracts';
import { BATCH_IDEMPOTENT, BatchHandlerContext } from '@draaiboek/messaging';
import { AuditLog, SERVICE_CONFIG, serviceActor, uuidV7 } from '@draaiboek/platform';
import { DeclarationsConfig } from '../../../config/declarations.config';
import { BatchKey, BatchPeriod, keyOf, openBatchesFor, periodOf } from '../../batches/open-batches';
import { DataKeysOfLines } from '../../bsn-keys/bsn-data-keys';
import { TariffTable } from '../../tariffs/tariff-table';
import { routePayer } from '../domain/payer-routing';

/** The columns a new line is written with. */
const LINE_COLUMNS = [
  'id',
  'consultation_id',
  'session_id',
  'central_location_id',
  'gp_agb',
  'practice_agb',
  'date_of_care',
  'performance_code',
  'duration_class',
  'payer',
  'payer_scheme',
  'amount_cents',
  'tariff_version',
  'status',
  'problem',
  'patient_pseudonym',
  'encrypted_bsn',
  'bsn_data_key_id',
  'batch_id',
] as const;

/**
 * New lines arrive as one JSON parameter (an array of objects keyed by column name), read by
 * json_populate_recordset into rows of the table's type: one string for Postgres to parse instead
 * of an array per column for the driver to escape element by element.
 */
const INSERT_LINES = `INSERT INTO declaration_lines (${LINE_COLUMNS.join(', ')})
  SELECT ${LINE_COLUMNS.join(', ')} FROM json_populate_recordset(NULL::declaration_lines, $1::json)
  ON CONFLICT (consultation_id) WHERE corrects_line_id IS NULL DO NOTHING
  RETURNING id::text AS resource_id, patient_pseudonym AS subject_reference, consultation_id::text AS consultation_id`;

/**
 * Each consultation at a central location becomes exactly one declaration line, however often
 * its event arrives: the unique consultation id absorbs redeliveries and replays of the topic
 * alike, so these events need no inbox rows (decision 0033); the handler tells the consumer which
 * events added a line, the others were duplicates. A code without a tariff still becomes a line,
 * marked for attention: nothing is lost, and nobody has to redo the GP's paperwork. A line with a tariff is recorded
 * straight into the open batch of its payer and period, so closing never rewrites lines
 * (decision 0030); a line that needs attention is in no batch.
 *
 * Consultations come in volume (every consultation of every central location), so they are
 * applied as a batch: one INSERT per fetched chunk instead of one round trip per consultation.
 */
@Controller()
export class RecordLineWhenConsultationRecordedHandler {
  private readonly period: BatchPeriod;

  constructor(
    @Inject(TariffTable) private readonly tariffs: TariffTable,
    private readonly audit: AuditLog,
    @Inject(SERVICE_CONFIG) config: DeclarationsConfig,
  ) {
    this.period = config.BATCH_PERIOD ?? 'week';
  }

  @EventPattern(ConsultationRecorded.v1.type, BATCH_IDEMPOTENT)
  async handle(@Payload() events: Array<EventEnvelope<ConsultationRecordedV1>>, @Ctx() tx: BatchHandlerContext): Promise<string[]> {
    const rows: Array<Record<(typeof LINE_COLUMNS)[number], unknown>> = [];
    // Each line with a tariff goes straight into the open batch of its payer and period.
    const batchOf: Array<string | null> = [];
    const keys = new Map<string, BatchKey>();
    const dataKeys = new DataKeysOfLines();
    for (const event of events) {
      const c = event.data;
      const rule = routePayer(c.dateOfCare, c.payerStatus);
      const tariff = this.tariffs.lookup(c.performanceCode, rule.payer, c.dateOfCare);
      let key: string | null = null;
      if (tariff.ok) {
        const k = { payer: rule.payer, ...periodOf(c.dateOfCare, this.period) };
        key = keyOf(k);
        if (!keys.has(key)) keys.set(key, k);
      }
      batchOf.push(key);
      // The line keeps the BSN's own IV, ciphertext and tag; its wrapped data key is stored once (0035).
      const bsn = c.encryptedBsn ? dataKeys.split(c.encryptedBsn) : null;
      rows.push({
        id: uuidV7(),
        consultation_id: c.consultationId,
        session_id: c.sessionId,
        central_location_id: c.centralLocationId,
        gp_agb: c.gpAgb,
        practice_agb: c.practiceAgb,
        date_of_care: c.dateOfCare,
        performance_code: c.performanceCode,
        duration_class: c.durationClass,
        payer: rule.payer,
        payer_scheme: rule.scheme,
        amount_cents: tariff.ok ? tariff.amountCents : null,
        tariff_version: tariff.ok ? tariff.version : null,
        status: tariff.ok ? 'open' : 'needs-attention',
        problem: tariff.ok ? null : tariff.message,
        patient_pseudonym: c.patientPseudonym,
        encrypted_bsn: bsn?.stored ?? null,
        bsn_data_key_id: bsn?.dataKeyId ?? null,
        batch_id: null,
      });
    }
    await dataKeys.store(tx.manager);
    const batches = await openBatchesFor(tx.manager, keys.values());
    rows.forEach((row, i) => {
      const key = batchOf[i];
      if (key) row.batch_id = batches.get(key);
    });
    // NEN 7513: each new line is a change of a patient's data, by this service for the one that
    // sent the event; the lines and their audit entries are written by one statement.
    const inserted = await this.audit.recordReturningRows<{ consultation_id: string }>(
      tx.manager,
      serviceActor('declarations', `service:${events[0]?.source.split('/').pop()}`),
      { event: 'declaration-line.recorded', action: 'create', subjectKind: 'patient' },
      INSERT_LINES,
      [JSON.stringify(rows)],
      'consultation_id',
    );
    // The events that added a line: for a consultation twice in the chunk (a replay under a new
    // event id), its first event, whose row came first. Postgres spells a uuid in lower case.
    const eventOf = new Map<string, string>();
    for (const event of events) {
      const id = event.data.consultationId.toLowerCase();
      if (!eventOf.has(id)) eventOf.set(id, event.id);
    }
    return inserted.flatMap((r) => eventOf.get(r.consultation_id) ?? []);
  }
}
