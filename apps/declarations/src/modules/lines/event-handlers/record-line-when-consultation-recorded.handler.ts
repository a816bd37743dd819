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
import { arrayLiteral } from '../array-literal';

/**
 * The columns a new line is written with, each with the Postgres type of the array it is passed
 * as. The BSN's IV, ciphertext and tag arrive as three text arrays and become the line's jsonb.
 */
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
  ['bsn_iv', 'text'],
  ['bsn_ciphertext', 'text'],
  ['bsn_tag', 'text'],
  ['bsn_data_key_id', 'uuid'],
  ['batch_id', 'uuid'],
] as const;

type LineColumn = (typeof LINE_COLUMNS)[number][0];
const STORED = LINE_COLUMNS.map(([name]) => name).filter((name) => !name.startsWith('bsn_') || name === 'bsn_data_key_id');

/**
 * New lines arrive as one array per column, read by unnest: Postgres parses an array of uuids or
 * short texts in about a third of the time json_populate_recordset takes for the same rows as one
 * JSON document (measured: 10 against 25-30 µs of backend CPU per line), and the driver sends a
 * third fewer bytes.
 */
const INSERT_LINES = `INSERT INTO declaration_lines (${STORED.join(', ')}, encrypted_bsn)
  SELECT ${STORED.join(', ')},
         CASE WHEN bsn_ciphertext IS NOT NULL THEN jsonb_build_object('iv', bsn_iv, 'ciphertext', bsn_ciphertext, 'tag', bsn_tag) END
    FROM unnest(${LINE_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}) AS n(${LINE_COLUMNS.map(([name]) => name).join(', ')})
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
    const line = Object.fromEntries(LINE_COLUMNS.map(([name]) => [name, [] as Array<string | number | null>])) as Record<LineColumn, Array<string | number | null>>;
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
      line.id.push(uuidV7());
      line.consultation_id.push(c.consultationId);
      line.session_id.push(c.sessionId);
      line.central_location_id.push(c.centralLocationId);
      line.gp_agb.push(c.gpAgb);
      line.practice_agb.push(c.practiceAgb);
      line.date_of_care.push(c.dateOfCare);
      line.performance_code.push(c.performanceCode);
      line.duration_class.push(c.durationClass);
      line.payer.push(rule.payer);
      line.payer_scheme.push(rule.scheme);
      line.amount_cents.push(tariff.ok ? tariff.amountCents : null);
      line.tariff_version.push(tariff.ok ? tariff.version : null);
      line.status.push(tariff.ok ? 'open' : 'needs-attention');
      line.problem.push(tariff.ok ? null : tariff.message);
      line.patient_pseudonym.push(c.patientPseudonym);
      line.bsn_iv.push(bsn?.stored.iv ?? null);
      line.bsn_ciphertext.push(bsn?.stored.ciphertext ?? null);
      line.bsn_tag.push(bsn?.stored.tag ?? null);
      line.bsn_data_key_id.push(bsn?.dataKeyId ?? null);
    }
    await dataKeys.store(tx.manager);
    const batches = await openBatchesFor(tx.manager, keys.values());
    line.batch_id = batchOf.map((key) => (key ? batches.get(key) : null) ?? null);
    // NEN 7513: each new line is a change of a patient's data, by this service for the one that
    // sent the event; the lines and their audit entries are written by one statement.
    const inserted = await this.audit.recordReturningRows<{ consultation_id: string }>(
      tx.manager,
      serviceActor('declarations', `service:${events[0]?.source.split('/').pop()}`),
      { event: 'declaration-line.recorded', action: 'create', subjectKind: 'patient' },
      INSERT_LINES,
      LINE_COLUMNS.map(([name]) => arrayLiteral(line[name])),
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
