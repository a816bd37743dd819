import http from 'node:http';
import request from 'supertest';
import { Client } from 'pg';
import { createTestSystem, eventually, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { declarationsService } from './declarations.service';

jest.setTimeout(120_000);

/** Lines in the batch: about 6 MB of CSV, more than the sockets on the way hold. */
const LINES = 30_000;
const auth = { Authorization: `Bearer ${TEST_KEYS.finance}` };

/** Starts an export, takes its first bytes, and hangs up: a finance client that crashed or was stopped. */
function abandonAfterFirstBytes(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // An export waiting for a free database connection sends nothing: fail then, not at Jest's timeout.
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no bytes of the export within 15 s'));
    }, 15_000);
    const req = http.get(url, { headers: auth }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
      res.once('data', () => {
        clearTimeout(timer);
        req.destroy();
        resolve();
      });
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
  });
}

describe('export of a batch: a finance client that goes away half way, and a batch that does not add up', () => {
  let system: TestSystem;
  const logLines: string[] = [];
  let db: Client;
  let url: string;
  let batchId: string;

  beforeAll(async () => {
    system = await createTestSystem();
    const service = await system.start(declarationsService, { log: (line) => logLines.push(line) });
    url = service.url;
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    // A large batch, written straight into the tables: how lines are recorded is tested elsewhere
    // (lines.int-spec); here only the export of a closed batch matters.
    const {
      rows: [batch],
    } = await db.query(
      `INSERT INTO declarations.declaration_batches (id, payer, period_start, period_end) VALUES (gen_random_uuid(), 'CAK', '2026-11-02', '2026-11-08') RETURNING id::text`,
    );
    batchId = batch.id;
    await db.query(
      `INSERT INTO declarations.declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code,
                                                    duration_class, payer, payer_scheme, amount_cents, tariff_version, status, patient_pseudonym, batch_id)
       SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '81000011', '99100001', DATE '2026-11-02' + g % 7, '12000',
              'regular', 'CAK', 'CAK', 1229, 'test', 'open', md5(g::text) || md5((-g)::text), $1::uuid
         FROM generate_series(1, $2::int) g`,
      [batchId, LINES],
    );
    const closed = await request(url).post('/v1/batches/close').set(auth).send({ until: '2026-11-08' }).expect(200);
    expect(closed.body.closed.map((b: { batchId: string; lineCount: number }) => [b.batchId, b.lineCount])).toEqual([[batchId, LINES]]);
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  it('gives its database connection back: exports still work after more abandoned ones than the service has connections', async () => {
    // The service's pool holds 10 connections; an export that kept its connection after the client left would use one up each time.
    for (let i = 0; i < 12; i += 1) await abandonAfterFirstBytes(`${url}/v1/batches/${batchId}/export?format=csv`);
    await eventually(
      async () => {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%AS head%' AND state <> 'idle' AND pid <> pg_backend_pid()`,
        );
        return rows[0].n === 0;
      },
      { what: 'no export query left running', timeoutMs: 10_000 },
    );
    const whole = await request(url).get(`/v1/batches/${batchId}/export?format=csv`).set(auth).timeout(30_000).expect(200);
    const rows = whole.text.trim().split('\n');
    expect(rows).toHaveLength(LINES + 1);
    expect(new Set(rows.slice(1).map((r) => r.split(',')[0])).size).toBe(LINES);
  });

  it('never sends a short export as if it were whole: fewer lines than the closed batch holds break the download', async () => {
    // A closed batch cannot lose a line (a trigger refuses it): only a superuser with the triggers
    // switched off can do this, which is what makes it a fault to guard against and not a case.
    const {
      rows: [small],
    } = await db.query(
      `INSERT INTO declarations.declaration_batches (id, payer, period_start, period_end) VALUES (gen_random_uuid(), 'CAK', '2026-11-09', '2026-11-15') RETURNING id::text`,
    );
    await db.query(
      `INSERT INTO declarations.declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code,
                                                    duration_class, payer, payer_scheme, amount_cents, tariff_version, status, patient_pseudonym, batch_id)
       SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '81000011', '99100001', DATE '2026-11-09' + g % 7, '12000',
              'regular', 'CAK', 'CAK', 1229, 'test', 'open', md5(g::text) || md5((-g)::text), $1::uuid
         FROM generate_series(1, 3000) g`,
      [small.id],
    );
    await request(url).post('/v1/batches/close').set(auth).send({ until: '2026-11-15' }).expect(200);
    await db.query('BEGIN');
    await db.query(`SET LOCAL session_replication_role = replica`);
    await db.query(`DELETE FROM declarations.declaration_lines WHERE id = (SELECT id FROM declarations.declaration_lines WHERE batch_id = $1::uuid ORDER BY id DESC LIMIT 1)`, [small.id]);
    await db.query('COMMIT');

    const outcome = await new Promise<{ status?: number; rows: number; ended: boolean }>((resolve, reject) => {
      http.get(`${url}/v1/batches/${small.id}/export?format=csv`, { headers: auth }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, rows: body.split('\n').length - 2, ended: true }));
        res.on('error', () => resolve({ status: res.statusCode, rows: body.split('\n').length - 2, ended: false }));
      }).on('error', reject);
    });
    expect(outcome.status).toBe(200);
    expect(outcome.ended).toBe(false);
    expect(outcome.rows).toBeLessThan(3000);
    await eventually(async () => logLines.some((l) => l.includes(`export of batch ${small.id} read 2999 rows for its 3000 lines`)), {
      what: 'the short export logged as an error',
      timeoutMs: 5_000,
    });
  });
});
