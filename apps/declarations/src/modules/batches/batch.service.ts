import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DeclarationBatchReady } from '@draaiboek/contracts';
import { UnitOfWork } from '@draaiboek/messaging';
import { actorOf, amsterdamDateOf, AuditLog, Principal, SERVICE_CONFIG } from '@draaiboek/platform';
import { EntityManager } from 'typeorm';
import { DeclarationsConfig } from '../../config/declarations.config';
import { batchSet } from './batch-patient-sets';
import { BATCHES_LOCK, BatchKey, BatchPeriod, keyOf, openBatchesFor, periodOf } from './open-batches';

/** The canonical text of a line the checksum is computed over, in export order (CHECKSUM_SQL makes the same text in Postgres). */
export function checksumRow(l: { id: string; consultation_id: string; date_of_care: string; performance_code: string; amount_cents: string | number }): string {
  return `${l.id};${l.consultation_id};${l.date_of_care};${l.performance_code};${l.amount_cents}`;
}

export const LINE_ORDER = 'date_of_care, consultation_id';

/**
 * `checksumRow(l) + '\n'` of every line, in LINE_ORDER, hashed with SHA-256: the same bytes as
 * hashing the rows one by one in Node (ids and uuids as lowercase text, the date as YYYY-MM-DD,
 * the amount as integer cents).
 */
const CHECKSUM_SQL = `encode(sha256(convert_to(string_agg(
    id::text || ';' || consultation_id::text || ';' || to_char(date_of_care, 'YYYY-MM-DD') || ';' || performance_code || ';' || amount_cents::text || E'\\n',
    '' ORDER BY ${LINE_ORDER}), 'UTF8')), 'hex')`;

/**
 * Count, total and checksum of each batch in $1, in one pass over their lines (grouped by batch,
 * each group's checksum text in LINE_ORDER). Batches without lines have no row.
 */
const BATCH_TOTALS = `
  SELECT batch_id::text AS batch_id, count(*)::int AS line_count, sum(amount_cents)::text AS total_cents, ${CHECKSUM_SQL} AS checksum
    FROM declaration_lines WHERE batch_id = ANY($1::uuid[]) GROUP BY batch_id`;

/** Freezes the batches in $1 with their totals; $5 closed by. */
const FREEZE = `
  UPDATE declaration_batches b SET closed_at = now(), closed_by = $5, line_count = t.line_count, total_cents = t.total_cents, checksum = t.checksum
    FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::text[]) AS t(id, line_count, total_cents, checksum)
   WHERE b.id = t.id AND b.closed_at IS NULL`;

/**
 * Batches per payer and period (an ISO week by default, or a calendar month: BATCH_PERIOD), closed on schedule or by hand, and
 * immutable once closed. Finance gets DeclarationBatchReady with the totals and a checksum
 * over the lines, and reports back which lines it accepted and rejected.
 */
@Injectable()
export class BatchService {
  private readonly period: BatchPeriod;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    @Inject(SERVICE_CONFIG) config: DeclarationsConfig,
  ) {
    this.period = config.BATCH_PERIOD ?? 'week';
  }

  /**
   * Closes the open batch of every complete period up to `until` (inclusive; default: yesterday,
   * Amsterdam), per payer when asked. The lines are in their batch already (decision 0030):
   * closing freezes the batch row with its count, total and checksum, computed by Postgres from
   * the batch's lines, and rewrites no line.
   */
  close(by: Principal | 'schedule', options: { payer?: string; until?: string } = {}) {
    const until = options.until ?? plusDays(amsterdamDateOf(new Date()), -1);
    return this.uow.run(async (tx) => {
      // Exclusive: every transaction still adding lines to a batch commits first, and none starts
      // until this one has committed (they hold the lock shared, see openBatchesFor).
      await tx.manager.query(`SELECT pg_advisory_xact_lock(${BATCHES_LOCK})`);
      await this.batchLegacyLines(tx.manager);
      // A period is complete when its last day is on or before `until`.
      const batches: Array<{ id: string; payer: string; period_start: string; period_end: string }> = await tx.manager.query(
        `SELECT id::text, payer, to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end
           FROM declaration_batches
          WHERE closed_at IS NULL AND period_end <= $1::date AND ($2::text IS NULL OR payer = $2)
          ORDER BY period_start, payer`,
        [until, options.payer ?? null],
      );
      if (batches.length === 0) return { until, closed: [] };
      const totals = new Map<string, { line_count: number; total_cents: string; checksum: string }>(
        (await tx.manager.query(BATCH_TOTALS, [batches.map((b) => b.id)])).map((t: { batch_id: string; line_count: number; total_cents: string; checksum: string }) => [t.batch_id, t]),
      );
      // An open batch without lines (its only lines were replays, say) is not closed but removed.
      const empty = batches.filter((b) => !totals.has(b.id)).map((b) => b.id);
      if (empty.length) await tx.manager.query('DELETE FROM declaration_batches WHERE id = ANY($1::uuid[]) AND closed_at IS NULL', [empty]);
      const closing = batches.flatMap((b) => {
        const t = totals.get(b.id);
        return t ? [{ ...b, ...t }] : [];
      });
      await tx.manager.query(FREEZE, [
        closing.map((b) => b.id),
        closing.map((b) => b.line_count),
        closing.map((b) => b.total_cents),
        closing.map((b) => b.checksum),
        by === 'schedule' ? 'schedule' : by.id,
      ]);
      const closed = [];
      for (const b of closing) {
        const total = Number(b.total_cents);
        await tx.publish(DeclarationBatchReady.v1, {
          batchId: b.id,
          payer: b.payer as 'CAK' | 'RMO' | 'CAK-OVV',
          periodStart: b.period_start,
          periodEnd: b.period_end,
          lineCount: b.line_count,
          totalCents: total,
          checksum: b.checksum,
        });
        closed.push({ batchId: b.id, payer: b.payer, periodStart: b.period_start, periodEnd: b.period_end, lineCount: b.line_count, totalCents: total, checksum: b.checksum });
      }
      return { until, closed };
    });
  }

  /**
   * Open lines recorded before lines went straight into their batch (migration OpenBatches) have
   * no batch: they are put into the open batch of their payer and period, in this service's period.
   */
  private async batchLegacyLines(manager: EntityManager): Promise<void> {
    const found: Array<{ payer: string; date_of_care: string }> = await manager.query(
      `SELECT DISTINCT payer, to_char(date_of_care, 'YYYY-MM-DD') AS date_of_care FROM declaration_lines WHERE status = 'open' AND batch_id IS NULL`,
    );
    if (found.length === 0) return;
    const keys = new Map<string, BatchKey>();
    for (const f of found) {
      const k = { payer: f.payer, ...periodOf(f.date_of_care, this.period) };
      keys.set(keyOf(k), k);
    }
    const batches = await openBatchesFor(manager, keys.values());
    const list = [...keys.entries()];
    await manager.query(
      `UPDATE declaration_lines l SET batch_id = k.batch_id
         FROM unnest($1::uuid[], $2::text[], $3::date[], $4::date[]) AS k(batch_id, payer, period_start, period_end)
        WHERE l.status = 'open' AND l.batch_id IS NULL AND l.payer = k.payer AND l.date_of_care BETWEEN k.period_start AND k.period_end`,
      [list.map(([key]) => batches.get(key)), list.map(([, k]) => k.payer), list.map(([, k]) => k.periodStart), list.map(([, k]) => k.periodEnd)],
    );
  }

  /** Finance's outcome: every line of the batch accepted or rejected (with a reason), once. */
  outcome(batchId: string, accepted: string[], rejected: Array<{ lineId: string; reason: string }>, by: Principal) {
    return this.uow.run(async (tx) => {
      const [batch] = await tx.manager.query('SELECT id, outcome_at, outcome_by FROM declaration_batches WHERE id = $1 AND closed_at IS NOT NULL FOR UPDATE', [batchId]);
      if (!batch) throw new NotFoundException({ error: 'unknown_batch', message: `No batch ${batchId}` });
      if (batch.outcome_at) {
        throw new ConflictException({ error: 'outcome_already_posted', message: 'This batch has its outcome already', at: batch.outcome_at, by: batch.outcome_by });
      }
      const inBatch = new Set<string>((await tx.manager.query('SELECT id FROM declaration_lines WHERE batch_id = $1', [batchId])).map((r: { id: string }) => r.id));
      const named = [...accepted, ...rejected.map((r) => r.lineId)];
      const unknown = named.filter((id) => !inBatch.has(id));
      const seen = new Set<string>();
      const twice = named.filter((id) => seen.size === seen.add(id).size);
      const missing = [...inBatch].filter((id) => !seen.has(id));
      if (unknown.length || twice.length || missing.length) {
        throw new BadRequestException({
          error: 'outcome_does_not_match_batch',
          message: 'Name every line of the batch exactly once, as accepted or rejected',
          ...(unknown.length ? { notInBatch: unknown } : {}),
          ...(twice.length ? { namedTwice: [...new Set(twice)] } : {}),
          ...(missing.length ? { missing } : {}),
        });
      }
      if (accepted.length) await tx.manager.query(`UPDATE declaration_lines SET status = 'accepted' WHERE id = ANY($1::uuid[])`, [accepted]);
      if (rejected.length) {
        await tx.manager.query(
          `UPDATE declaration_lines l SET status = 'rejected', rejection_reason = r.reason
             FROM unnest($1::uuid[], $2::text[]) AS r(id, reason) WHERE l.id = r.id`,
          [rejected.map((r) => r.lineId), rejected.map((r) => r.reason)],
        );
      }
      await tx.manager.query('UPDATE declaration_batches SET outcome_at = now(), outcome_by = $2 WHERE id = $1', [batchId, by.id]);
      // Every line of the (closed) batch was named: one entry for all its patients (decision 0034).
      await this.audit.recordForSet(tx.manager, actorOf(by), {
        event: 'declaration-line.outcome-recorded',
        action: 'update',
        set: batchSet(batchId),
        resourceId: batchId,
      });
      return { batchId, accepted: accepted.length, rejected: rejected.length };
    });
  }
}

function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
