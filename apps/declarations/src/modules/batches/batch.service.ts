import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DeclarationBatchReady } from '@draaiboek/contracts';
import { UnitOfWork } from '@draaiboek/messaging';
import { actorOf, amsterdamDateOf, AuditLog, Principal, SERVICE_CONFIG } from '@draaiboek/platform';
import { DeclarationsConfig } from '../../config/declarations.config';

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

/** $1 batch id, $2 payer, $3 first and $4 last day of the period, $5 closed by. No row when the period has no open lines. */
const CLOSE_PERIOD = `
  WITH moved AS (
    UPDATE declaration_lines SET batch_id = $1, status = 'batched'
     WHERE status = 'open' AND batch_id IS NULL AND payer = $2 AND date_of_care BETWEEN $3 AND $4
    RETURNING id, consultation_id, date_of_care, performance_code, amount_cents
  )
  INSERT INTO declaration_batches (id, payer, period_start, period_end, line_count, total_cents, checksum, closed_by)
  SELECT $1, $2, $3, $4, count(*), sum(amount_cents), ${CHECKSUM_SQL}, $5
    FROM moved HAVING count(*) > 0
  RETURNING line_count, total_cents::text, checksum`;

/**
 * Batches per payer and period (an ISO week by default, or a calendar month: BATCH_PERIOD), closed on schedule or by hand, and
 * immutable once closed. Finance gets DeclarationBatchReady with the totals and a checksum
 * over the lines, and reports back which lines it accepted and rejected.
 */
@Injectable()
export class BatchService {
  private readonly period: 'week' | 'month';

  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    @Inject(SERVICE_CONFIG) config: DeclarationsConfig,
  ) {
    this.period = config.BATCH_PERIOD ?? 'week';
  }

  /** Closes every complete period up to `until` (inclusive; default: yesterday, Amsterdam) that has open lines. */
  close(by: Principal | 'schedule', options: { payer?: string; until?: string } = {}) {
    const until = options.until ?? plusDays(amsterdamDateOf(new Date()), -1);
    const period = this.period;
    return this.uow.run(async (tx) => {
      await tx.manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['draaiboek:batches']);
      // A period is complete when its last day is on or before `until`.
      const periods: Array<{ payer: string; period_start: string; period_end: string }> = await tx.manager.query(
        `SELECT payer, to_char(start, 'YYYY-MM-DD') AS period_start, to_char(start + ('1 ' || $3)::interval - interval '1 day', 'YYYY-MM-DD') AS period_end
           FROM (SELECT DISTINCT payer, date_trunc($3, date_of_care) AS start
                   FROM declaration_lines
                  WHERE status = 'open' AND batch_id IS NULL AND date_of_care <= $1 AND ($2::text IS NULL OR payer = $2)) p
          WHERE start + ('1 ' || $3)::interval - interval '1 day' <= $1::date
          ORDER BY period_start, payer`,
        [until, options.payer ?? null, period],
      );
      const closed = [];
      for (const p of periods) {
        const periodEnd = p.period_end;
        const batchId = randomUUID();
        // One statement: the lines move into the batch and the batch row is written with their
        // count, total and checksum, computed by Postgres over exactly the rows this UPDATE moved
        // (a line committed meanwhile is either in both or in neither).
        const [batch]: Array<{ line_count: number; total_cents: string; checksum: string }> = await tx.manager.query(CLOSE_PERIOD, [
          batchId,
          p.payer,
          p.period_start,
          periodEnd,
          by === 'schedule' ? 'schedule' : by.id,
        ]);
        if (!batch) continue;
        const total = Number(batch.total_cents);
        await tx.publish(DeclarationBatchReady.v1, {
          batchId,
          payer: p.payer as 'CAK' | 'RMO' | 'CAK-OVV',
          periodStart: p.period_start,
          periodEnd,
          lineCount: batch.line_count,
          totalCents: total,
          checksum: batch.checksum,
        });
        closed.push({ batchId, payer: p.payer, periodStart: p.period_start, periodEnd, lineCount: batch.line_count, totalCents: total, checksum: batch.checksum });
      }
      return { until, closed };
    });
  }

  /** Finance's outcome: every line of the batch accepted or rejected (with a reason), once. */
  outcome(batchId: string, accepted: string[], rejected: Array<{ lineId: string; reason: string }>, by: Principal) {
    return this.uow.run(async (tx) => {
      const [batch] = await tx.manager.query('SELECT id, outcome_at, outcome_by FROM declaration_batches WHERE id = $1 FOR UPDATE', [batchId]);
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
      await this.audit.recordSelected(
        tx.manager,
        actorOf(by),
        { event: 'declaration-line.outcome-recorded', action: 'update', subjectKind: 'patient' },
        'SELECT patient_pseudonym AS subject_reference, id::text AS resource_id FROM declaration_lines WHERE batch_id = $1',
        [batchId],
      );
      return { batchId, accepted: accepted.length, rejected: rejected.length };
    });
  }
}

function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
