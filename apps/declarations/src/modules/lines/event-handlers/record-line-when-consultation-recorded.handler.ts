import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsultationRecorded, ConsultationRecordedV1, EventEnvelope } from '@draaiboek/contracts';
import { BATCH_IDEMPOTENT, BatchHandlerContext } from '@draaiboek/messaging';
import { AuditLog, copyField, copyIn, SERVICE_CONFIG, serviceActor, uuidV7 } from '@draaiboek/platform';
import { DeclarationsConfig } from '../../../config/declarations.config';
import { BatchKey, BatchPeriod, keyOf, openBatchesFor, periodOf } from '../../batches/open-batches';
import { DataKeysOfLines } from '../../bsn-keys/bsn-data-keys';
import { TariffTable } from '../../tariffs/tariff-table';
import { routePayer } from '../domain/payer-routing';
import { arrayLiteral } from '../array-literal';

/**
 * New lines are copied into the table (`COPY ... FROM STDIN`, decision 0037). A line's fields
 * come in this order, the BSN's IV, ciphertext and tag as the line's jsonb, its batch last.
 */
const COPY_LINES = `COPY declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care,
  performance_code, duration_class, payer, payer_scheme, amount_cents, tariff_version, status, problem, patient_pseudonym,
  encrypted_bsn, bsn_data_key_id, batch_id) FROM STDIN`;

/** The new lines' audit subjects and resources, by their ids. */
const LINES_BY_ID = `SELECT patient_pseudonym AS subject_reference, id::text AS resource_id FROM declaration_lines WHERE id = ANY($1::uuid[])`;

/** The consultations of a chunk that already have their line (a redelivery, a replay of the topic). */
const RECORDED = `SELECT consultation_id::text AS consultation_id FROM declaration_lines
  WHERE consultation_id = ANY($1::uuid[]) AND corrects_line_id IS NULL`;

/**
 * Each consultation at a central location becomes exactly one declaration line, however often
 * its event arrives: a consultation that has its line already (a redelivery, a replay of the
 * topic) is skipped, so these events need no inbox rows (decision 0033); the handler tells the
 * consumer which events added a line, the others were duplicates. Should a concurrent transaction
 * write the same consultation's line meanwhile, the unique index on the consultation id refuses
 * the copy, and the consumer applies the chunk's events again one by one, each finding its line. A code without a tariff still becomes a line,
 * marked for attention: nothing is lost, and nobody has to redo the GP's paperwork. A line with a tariff is recorded
 * straight into the open batch of its payer and period, so closing never rewrites lines
 * (decision 0030); a line that needs attention is in no batch.
 *
 * Consultations come in volume (every consultation of every central location), so they are
 * applied as a batch: one COPY per fetched chunk (0037) instead of one round trip per consultation.
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
    // Only consultations without a line get one: for a consultation twice in the chunk (a replay
    // under a new event id), its first event. Postgres spells a uuid in lower case.
    const recorded: Array<{ consultation_id: string }> = await tx.manager.query(RECORDED, [arrayLiteral(events.map((e) => e.data.consultationId))]);
    const skip = new Set(recorded.map((r) => r.consultation_id));
    const fresh: Array<EventEnvelope<ConsultationRecordedV1>> = [];
    for (const event of events) {
      const id = event.data.consultationId.toLowerCase();
      if (skip.has(id)) continue;
      skip.add(id);
      fresh.push(event);
    }
    if (fresh.length === 0) return [];

    // Each line with a tariff goes straight into the open batch of its payer and period; the
    // batch is the last field, known once the batches are open.
    const heads = new Array<string>(fresh.length);
    const batchOf = new Array<string | null>(fresh.length);
    const ids = new Array<string>(fresh.length);
    const keys = new Map<string, BatchKey>();
    const dataKeys = new DataKeysOfLines();
    for (let i = 0; i < fresh.length; i += 1) {
      const c = fresh[i].data;
      const rule = routePayer(c.dateOfCare, c.payerStatus);
      const tariff = this.tariffs.lookup(c.performanceCode, rule.payer, c.dateOfCare);
      let key: string | null = null;
      if (tariff.ok) {
        const k = { payer: rule.payer, ...periodOf(c.dateOfCare, this.period) };
        key = keyOf(k);
        if (!keys.has(key)) keys.set(key, k);
      }
      batchOf[i] = key;
      // The line keeps the BSN's own IV, ciphertext and tag; its wrapped data key is stored once (0035).
      const bsn = c.encryptedBsn ? dataKeys.split(c.encryptedBsn) : null;
      const id = uuidV7();
      ids[i] = id;
      heads[i] = [
        id,
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
        bsn ? JSON.stringify(bsn.stored) : null,
        bsn?.dataKeyId ?? null,
      ]
        .map(copyField)
        .join('\t');
    }
    await dataKeys.store(tx.manager);
    const batches = await openBatchesFor(tx.manager, keys.values());
    let rows = '';
    for (let i = 0; i < fresh.length; i += 1) {
      const key = batchOf[i];
      rows += `${heads[i]}\t${copyField(key ? batches.get(key) : null)}\n`;
    }
    await copyIn(tx.manager, COPY_LINES, rows);
    // NEN 7513: each new line is a change of a patient's data, by this service for the one that
    // sent the event. Postgres makes the entries from the lines just copied.
    const logged = await this.audit.recordForRows(
      tx.manager,
      serviceActor('declarations', `service:${events[0]?.source.split('/').pop()}`),
      { event: 'declaration-line.recorded', action: 'create', subjectKind: 'patient' },
      LINES_BY_ID,
      [arrayLiteral(ids)],
    );
    if (logged !== ids.length) throw new Error(`${ids.length} lines copied but ${logged} found to log`);
    return fresh.map((e) => e.id);
  }
}
