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

/** The consultations of a refused chunk that have their line already. */
const RECORDED = `SELECT consultation_id::text AS consultation_id FROM declaration_lines
  WHERE consultation_id = ANY($1::uuid[]) AND corrects_line_id IS NULL`;

/**
 * Each consultation at a central location becomes exactly one declaration line, however often
 * its event arrives: the unique index on the consultation id refuses a second line (a
 * redelivery, a replay of the topic, a concurrent writer), and the consultations that have their
 * line are then left out, so these events need no inbox rows (decision 0033); the handler tells
 * the consumer which events added a line, the others were duplicates. A code without a tariff
 * still becomes a line, marked for attention: nothing is lost, and nobody has to redo the GP's
 * paperwork. A line with a tariff is recorded straight into the open batch of its payer and
 * period, so closing never rewrites lines (decision 0030); a line that needs attention is in no
 * batch.
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
    // A consultation twice in the chunk (a replay under a new event id) counts once, by its first
    // event. Postgres spells a uuid in lower case.
    const seen = new Set<string>();
    const fresh: Array<EventEnvelope<ConsultationRecordedV1>> = [];
    for (const event of events) {
      const id = event.data.consultationId.toLowerCase();
      if (seen.has(id)) continue;
      seen.add(id);
      fresh.push(event);
    }

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
      // Fields the contract allows only in a form without tabs, newlines or backslashes (uuids,
      // AGB codes, dates, digits, enums, hex) and this service's own values go in as they are;
      // the others through copyField.
      heads[i] =
        `${id}\t${c.consultationId}\t${c.sessionId}\t${c.centralLocationId}\t${c.gpAgb}\t${c.practiceAgb}\t${c.dateOfCare}\t` +
        `${c.performanceCode}\t${c.durationClass}\t${rule.payer}\t${copyField(rule.scheme)}\t` +
        (tariff.ok ? `${tariff.amountCents}\t${copyField(tariff.version)}\topen\t\\N\t` : `\\N\t\\N\tneeds-attention\t${copyField(tariff.message)}\t`) +
        `${c.patientPseudonym}\t${bsn ? `${copyField(JSON.stringify(bsn.stored))}\t${bsn.dataKeyId}` : '\\N\t\\N'}`;
    }
    await dataKeys.store(tx.manager);
    const batches = await openBatchesFor(tx.manager, keys.values());
    const rowOf = (i: number) => `${heads[i]}\t${copyField(batchOf[i] ? batches.get(batchOf[i] as string) : null)}\n`;
    let copied = Array.from(fresh.keys());
    // Nearly every chunk holds only consultations without a line: it is copied as it is, under a
    // savepoint. When the unique index refuses it (a redelivery, a replay of the topic, a
    // concurrent writer of the same consultation), it is rolled back to the savepoint and copied
    // again without the consultations that have their line by then.
    await tx.manager.query('SAVEPOINT new_lines');
    try {
      await copyIn(tx.manager, COPY_LINES, copied.map(rowOf).join(''));
    } catch (error) {
      if ((error as { constraint?: string }).constraint !== 'declaration_lines_one_per_consultation') throw error;
      await tx.manager.query('ROLLBACK TO SAVEPOINT new_lines');
      const recorded: Array<{ consultation_id: string }> = await tx.manager.query(RECORDED, [arrayLiteral(fresh.map((e) => e.data.consultationId))]);
      const has = new Set(recorded.map((r) => r.consultation_id));
      copied = copied.filter((i) => !has.has(fresh[i].data.consultationId.toLowerCase()));
      if (copied.length === 0) return [];
      await copyIn(tx.manager, COPY_LINES, copied.map(rowOf).join(''));
    }
    // NEN 7513: each new line is a change of a patient's data, by this service for the one that
    // sent the event; its entry is copied in the same transaction, for exactly the lines copied (0039).
    const logged = await this.audit.copy(
      tx.manager,
      serviceActor('declarations', `service:${events[0]?.source.split('/').pop()}`),
      { event: 'declaration-line.recorded', action: 'create', subjectKind: 'patient' },
      copied.map((i) => fresh[i].data.patientPseudonym),
      copied.map((i) => ids[i]),
    );
    if (logged !== copied.length) throw new Error(`${copied.length} lines copied but ${logged} audit entries written`);
    return copied.map((i) => fresh[i].id);
  }
}
