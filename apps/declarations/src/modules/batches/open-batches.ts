import { EntityManager } from 'typeorm';
import { uuidV7 } from '@draaiboek/platform';

export type BatchPeriod = 'week' | 'month';

/** A batch's key: the payer and the first and last day of its period (YYYY-MM-DD). */
export interface BatchKey {
  payer: string;
  periodStart: string;
  periodEnd: string;
}

const DAY = 86_400_000;
const periods = new Map<string, { periodStart: string; periodEnd: string }>();

/**
 * The period a date of care falls in: its ISO week (Monday to Sunday) or its calendar month,
 * as Postgres's `date_trunc('week' | 'month', date)` has it.
 */
export function periodOf(dateOfCare: string, period: BatchPeriod): { periodStart: string; periodEnd: string } {
  const cacheKey = `${period}:${dateOfCare}`;
  const cached = periods.get(cacheKey);
  if (cached) return cached;
  const day = Date.parse(`${dateOfCare}T00:00:00Z`);
  if (Number.isNaN(day)) throw new Error(`not a date: ${dateOfCare}`);
  let start: number;
  let end: number;
  if (period === 'week') {
    start = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
    end = start + 6 * DAY;
  } else {
    const d = new Date(day);
    start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0);
  }
  const result = { periodStart: new Date(start).toISOString().slice(0, 10), periodEnd: new Date(end).toISOString().slice(0, 10) };
  if (periods.size > 10_000) periods.clear();
  periods.set(cacheKey, result);
  return result;
}

export const keyOf = (k: BatchKey) => `${k.payer}|${k.periodStart}|${k.periodEnd}`;

/**
 * Writing lines into open batches and closing batches exclude each other through this advisory
 * lock: every transaction that adds lines holds it shared, a close holds it exclusively. A close
 * therefore sees every line of the batches it closes, and no line is added to a batch after its
 * checksum was taken (decision 0030).
 */
export const BATCHES_LOCK = `hashtext('draaiboek:batches')`;

/**
 * Creates the missing open batches (at most one per payer and period: a partial unique index)
 * and returns every key's open batch. Only keys without an open batch try to insert one: a
 * chunk usually finds all of its batches open already. A batch that a concurrent transaction created after this
 * statement's snapshot is found by the next round.
 */
const OPEN_BATCHES = `
  WITH k AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::date[], $4::date[]) AS k(id, payer, period_start, period_end)
  ), created AS (
    INSERT INTO declaration_batches (id, payer, period_start, period_end)
    SELECT id, payer, period_start, period_end FROM k
     WHERE NOT EXISTS (SELECT 1 FROM declaration_batches b
                        WHERE b.payer = k.payer AND b.period_start = k.period_start AND b.period_end = k.period_end AND b.closed_at IS NULL)
     ORDER BY payer, period_start, period_end
    ON CONFLICT (payer, period_start, period_end) WHERE closed_at IS NULL DO NOTHING
    RETURNING id, payer, period_start, period_end
  )
  SELECT id::text, payer, to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end FROM created
  UNION ALL
  SELECT b.id::text, b.payer, to_char(b.period_start, 'YYYY-MM-DD'), to_char(b.period_end, 'YYYY-MM-DD')
    FROM declaration_batches b JOIN k ON b.payer = k.payer AND b.period_start = k.period_start AND b.period_end = k.period_end
   WHERE b.closed_at IS NULL`;

/**
 * The open batch of each key (created when there is none), in the caller's transaction, which
 * from here on holds BATCHES_LOCK shared: no batch it was given can be closed before it commits.
 * A late line, for a period whose batch was closed already, gets a new open batch for that same
 * payer and period; the next close closes it (decision 0030).
 */
export async function openBatchesFor(manager: EntityManager, keys: Iterable<BatchKey>): Promise<Map<string, string>> {
  const wanted = new Map<string, BatchKey>();
  for (const k of keys) wanted.set(keyOf(k), k);
  const found = new Map<string, string>();
  if (wanted.size === 0) return found;
  await manager.query(`SELECT pg_advisory_xact_lock_shared(${BATCHES_LOCK})`);
  for (let round = 0; round < 5; round += 1) {
    const missing = [...wanted.values()].filter((k) => !found.has(keyOf(k)));
    if (missing.length === 0) return found;
    const rows: Array<{ id: string; payer: string; period_start: string; period_end: string }> = await manager.query(OPEN_BATCHES, [
      missing.map(() => uuidV7()),
      missing.map((k) => k.payer),
      missing.map((k) => k.periodStart),
      missing.map((k) => k.periodEnd),
    ]);
    for (const r of rows) found.set(keyOf({ payer: r.payer, periodStart: r.period_start, periodEnd: r.period_end }), r.id);
  }
  const left = [...wanted.keys()].filter((k) => !found.has(k));
  if (left.length) throw new Error(`no open batch for ${left.join(', ')}`);
  return found;
}

/**
 * The state of a line as the API reports it: its own status, except that an 'open' line in a
 * closed batch is 'batched'. `l` and `b` are the aliases of declaration_lines and its
 * (left-joined) declaration_batches row.
 */
export function lineStateSql(l: string, b: string): string {
  return `CASE WHEN ${l}.status = 'open' AND ${b}.closed_at IS NOT NULL THEN 'batched' ELSE ${l}.status END`;
}
