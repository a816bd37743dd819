import request from 'supertest';
import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestSystem, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { migrateServiceDatabase, serviceDataSourceOptions } from '@draaiboek/platform';
import { DeclarationsInitial1763856400000 } from './migrations/1763856400000-declarations-initial';
import { DeclarationLines1764100000000 } from './migrations/1764100000000-declaration-lines';
import { DeclarationBatches1764100100000 } from './migrations/1764100100000-declaration-batches';
import { LineCorrections1764100200000 } from './migrations/1764100200000-line-corrections';
import { BsnKeyRotation1764100300000 } from './migrations/1764100300000-bsn-key-rotation';
import { OpenBatches1764100400000 } from './migrations/1764100400000-open-batches';
import { DropUnusedBsnKeyIndex1764100500000 } from './migrations/1764100500000-drop-unused-bsn-key-index';
import { declarationsService } from './declarations.service';

jest.setTimeout(120_000);

/**
 * A database from before open batches (migration OpenBatches1764100400000): a closed batch whose
 * lines were rewritten to 'batched', and open lines without a batch. After the migration the
 * closed batch is unchanged and still immutable, and the open lines go into batches at the next close.
 */
describe('open batches on a database that has lines and batches from before', () => {
  let system: TestSystem;
  let db: Client;
  let url: string;
  const closedBatch = randomUUID();
  const batchedLines = [randomUUID(), randomUUID()];
  const openLines = [randomUUID(), randomUUID()];
  const insertLine = (id: string, date: string, status: string, batchId: string | null) =>
    db.query(
      `INSERT INTO declarations.declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code, duration_class,
                                                   payer, payer_scheme, amount_cents, tariff_version, status, patient_pseudonym, batch_id)
       VALUES ($1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '81000011', '99100001', $2, '12000', 'regular', 'CAK', 'CAK', 1229, 'nza-2026', $3, $4, $5)`,
      [id, date, status, 'c'.repeat(64), batchId],
    );

  beforeAll(async () => {
    system = await createTestSystem();
    const old = new DataSource(
      serviceDataSourceOptions({
        url: system.databaseUrl,
        schema: 'declarations',
        entities: [],
        migrations: [DeclarationsInitial1763856400000, DeclarationLines1764100000000, DeclarationBatches1764100100000, LineCorrections1764100200000, BsnKeyRotation1764100300000],
      }),
    );
    await old.initialize();
    await migrateServiceDatabase(old, 'declarations');
    await old.destroy();
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    // The old scheme: closing moved the lines into the batch and set them 'batched'.
    const checksum = createHash('sha256').update('x').digest('hex');
    await db.query(
      `INSERT INTO declarations.declaration_batches (id, payer, period_start, period_end, line_count, total_cents, checksum, closed_by)
       VALUES ($1, 'CAK', '2026-11-02', '2026-11-08', 2, 2458, $2, 'schedule')`,
      [closedBatch, checksum],
    );
    for (const id of batchedLines) await insertLine(id, '2026-11-03', 'batched', closedBatch);
    await insertLine(openLines[0], '2026-11-04', 'open', null); // late for a closed week
    await insertLine(openLines[1], '2026-11-10', 'open', null);
    url = (await system.start(declarationsService)).url;
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  const finance = {
    get: (path: string) => request(url).get(path).set('Authorization', `Bearer ${TEST_KEYS.finance}`),
    post: (path: string, body: object = {}) => request(url).post(path).set('Authorization', `Bearer ${TEST_KEYS.finance}`).send(body),
  };

  it('keeps the closed batch as it was, its lines reading as batched and immutable', async () => {
    const { body: batches } = await finance.get('/v1/batches').expect(200);
    expect(batches).toEqual([expect.objectContaining({ batchId: closedBatch, lineCount: 2, totalCents: 2458 })]);
    const { body: lines } = await finance.get(`/v1/batches/${closedBatch}/lines`).expect(200);
    expect(lines.map((l: { lineId: string; status: string }) => [l.lineId, l.status]).sort()).toEqual(batchedLines.map((id) => [id, 'batched']).sort());
    await expect(db.query(`UPDATE declarations.declaration_lines SET amount_cents = 1 WHERE batch_id = $1`, [closedBatch])).rejects.toThrow(/closed batch/);
    const { body: totals } = await request(url).get('/v1/lines/totals').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200);
    expect(totals).toEqual([
      { payer: 'CAK', status: 'batched', lines: 2, amountCents: 2458 },
      { payer: 'CAK', status: 'open', lines: 2, amountCents: 2458 },
    ]);
  });

  it('puts the open lines from before into batches at the next close: a new batch for the closed week, one for the next', async () => {
    const { body } = await finance.post('/v1/batches/close', { until: '2026-11-16' }).expect(200);
    expect(body.closed.map((b: { payer: string; periodStart: string; lineCount: number; totalCents: number }) => [b.payer, b.periodStart, b.lineCount, b.totalCents])).toEqual([
      ['CAK', '2026-11-02', 1, 1229],
      ['CAK', '2026-11-09', 1, 1229],
    ]);
    expect(body.closed[0].batchId).not.toBe(closedBatch);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM declarations.declaration_lines WHERE batch_id IS NULL`);
    expect(rows[0].n).toBe(0);
    const { body: totals } = await request(url).get('/v1/lines/totals').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200);
    expect(totals).toEqual([{ payer: 'CAK', status: 'batched', lines: 4, amountCents: 4916 }]);
  });
});

describe('open batches, migrated down and up again', () => {
  let system: TestSystem;
  let source: DataSource;
  const schema = 'declarations_round_trip';

  beforeAll(async () => {
    system = await createTestSystem();
    source = new DataSource(
      serviceDataSourceOptions({
        url: system.databaseUrl,
        schema,
        entities: [],
        migrations: [
          DeclarationsInitial1763856400000,
          DeclarationLines1764100000000,
          DeclarationBatches1764100100000,
          LineCorrections1764100200000,
          BsnKeyRotation1764100300000,
          OpenBatches1764100400000,
          DropUnusedBsnKeyIndex1764100500000,
        ],
      }),
    );
    await source.initialize();
    await migrateServiceDatabase(source, schema);
  });

  afterAll(async () => {
    await source?.destroy();
    await system?.stop();
  });

  it('down: lines of a closed batch become batched, lines of an open batch open lines without a batch; up again: as before', async () => {
    const q = (sql: string, params: unknown[] = []) => source.query(sql, params);
    const [closed, open] = [randomUUID(), randomUUID()];
    await q(`INSERT INTO declaration_batches (id, payer, period_start, period_end) VALUES ($1, 'CAK', '2026-11-02', '2026-11-08'), ($2, 'CAK', '2026-11-09', '2026-11-15')`, [closed, open]);
    for (const [batch, date] of [[closed, '2026-11-03'], [open, '2026-11-10']]) {
      await q(
        `INSERT INTO declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code, duration_class,
                                        payer, payer_scheme, amount_cents, tariff_version, status, patient_pseudonym, batch_id)
         VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '81000011', '99100001', $2, '12000', 'regular', 'CAK', 'CAK', 1229, 'nza-2026', 'open', $3, $1)`,
        [batch, date, 'e'.repeat(64)],
      );
    }
    await q(`UPDATE declaration_batches SET line_count = 1, total_cents = 1229, checksum = 'c', closed_by = 'schedule', closed_at = now() WHERE id = $1`, [closed]);
    const state = () => q(`SELECT to_char(date_of_care, 'YYYY-MM-DD') AS d, status, batch_id::text FROM declaration_lines ORDER BY date_of_care`);
    await source.undoLastMigration({ transaction: 'each' });
    await source.undoLastMigration({ transaction: 'each' });
    expect(await state()).toEqual([
      { d: '2026-11-03', status: 'batched', batch_id: closed },
      { d: '2026-11-10', status: 'open', batch_id: null },
    ]);
    expect(await q(`SELECT id::text FROM declaration_batches`)).toEqual([{ id: closed }]);
    await expect(q(`UPDATE declaration_lines SET amount_cents = 1 WHERE batch_id = $1`, [closed])).rejects.toThrow(/closed batch/);
    await migrateServiceDatabase(source, schema);
    expect(await state()).toEqual([
      { d: '2026-11-03', status: 'open', batch_id: closed },
      { d: '2026-11-10', status: 'open', batch_id: null },
    ]);
  });
});
