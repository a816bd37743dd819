import request from 'supertest';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { Topics } from '@draaiboek/contracts';
import { createTestSystem, KafkaProbe, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { checksumRow, LINE_ORDER } from './modules/batches/batch.service';
import { declarationsService } from './declarations.service';
import { consultationRecorded } from './testing/consultation-recorded';

jest.setTimeout(120_000);

const DAYS = ['2026-10-05', '2026-10-07', '2026-10-13', '2026-10-16', '2026-10-21'];

function consultation(i: number) {
  return consultationRecorded({ dateOfCare: DAYS[i % DAYS.length], performanceCode: i % 3 ? '12000' : '12001', patientPseudonym: 'd'.repeat(64) });
}

/**
 * Closing while lines are still being recorded into the same periods (decision 0030): every
 * line ends up in exactly one closed batch, and each batch's count, total and checksum are those
 * of the lines it holds now, so no line entered a batch after it was closed.
 */
describe('closing batches while consultations are still being recorded', () => {
  let system: TestSystem;
  let db: Client;
  let url: string;
  const N = 20_000;

  beforeAll(async () => {
    system = await createTestSystem();
    url = (await system.start(declarationsService)).url;
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  it('puts every line into exactly one closed batch whose totals and checksum are its lines', async () => {
    const probe = new KafkaProbe();
    const events = Array.from({ length: N }, (_, i) => consultation(i));
    const close = () => request(url).post('/v1/batches/close').set('Authorization', `Bearer ${TEST_KEYS.finance}`).send({ until: '2026-11-30' }).expect(200);
    const count = async () => (await db.query('SELECT count(*)::int AS n FROM declarations.declaration_lines')).rows[0].n as number;
    try {
      for (let start = 0; start < N; start += 2000) {
        await probe.produce(system.topic(Topics.consultations.name), events.slice(start, start + 2000).map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
      }
      let closesDuring = 0;
      for (let n = await count(); n < N; n = await count()) {
        if (n > 0 && (await close()).body.closed.length > 0) closesDuring += 1;
        await new Promise((r) => setTimeout(r, 5));
      }
      await close();
      // The closes ran while lines arrived (else this test proves nothing about them).
      expect(closesDuring).toBeGreaterThan(0);
    } finally {
      await probe.close();
    }
    const { rows: outside } = await db.query(
      `SELECT count(*)::int AS n FROM declarations.declaration_lines l LEFT JOIN declarations.declaration_batches b ON b.id = l.batch_id WHERE b.closed_at IS NULL`,
    );
    expect(outside[0].n).toBe(0);
    const { body: batches } = await request(url).get('/v1/batches').set('Authorization', `Bearer ${TEST_KEYS.finance}`).expect(200);
    expect(batches.reduce((s: number, b: { lineCount: number }) => s + b.lineCount, 0)).toBe(N);
    for (const batch of batches) {
      const { rows } = await db.query(
        `SELECT id, consultation_id, to_char(date_of_care, 'YYYY-MM-DD') AS date_of_care, performance_code, amount_cents FROM declarations.declaration_lines WHERE batch_id = $1 ORDER BY ${LINE_ORDER}`,
        [batch.batchId],
      );
      const hash = createHash('sha256');
      for (const r of rows) hash.update(checksumRow(r) + '\n');
      expect({ lines: rows.length, total: rows.reduce((s, r) => s + Number(r.amount_cents), 0), checksum: hash.digest('hex') }).toEqual({
        lines: batch.lineCount,
        total: batch.totalCents,
        checksum: batch.checksum,
      });
    }
  });
});
