import request from 'supertest';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createEnvelope, DeclarationBatchReady, shapeOf, Topics } from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, loadContractFixture, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { encryptFor } from '@draaiboek/platform';
import { declarationsService } from './declarations.service';
import { LINE_ORDER } from './modules/batches/batch.service';
import { EXPORT_IN_INDEX_ORDER } from './modules/batches/batches.http.controller';
import { consultationRecorded } from './testing/consultation-recorded';

jest.setTimeout(120_000);

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function consultation(dateOfCare: string, bsn?: string, code = '12000') {
  return consultationRecorded({
    dateOfCare,
    performanceCode: code,
    payerStatus: { bsnKnown: !!bsn, thirdCountryNational: false },
    patientPseudonym: randomUUID().replace(/-/g, '').padEnd(64, '0'),
    ...(bsn ? { encryptedBsn: encryptFor(publicPem, 'declarations-test', bsn) } : {}),
  });
}

describe('batches for finance: closed per payer and week, immutable, exported, with an outcome (rule 4)', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let url: string;
  let groupId: string;
  const week = ['2026-11-09', '2026-11-10', '2026-11-12', '2026-11-15'];
  const events = [
    consultation(week[0], '123456782'),
    consultation(week[1], '111222333', '12001'),
    consultation(week[2]),
    consultation(week[3]),
    consultation('2026-11-17', '123456782'), // the next week: not complete until the 22nd
  ];

  beforeAll(async () => {
    system = await createTestSystem();
    const service = await system.start(declarationsService, { env: { DECLARATIONS_PRIVATE_KEY: privatePem } });
    url = service.url;
    groupId = (service.consumer as NonNullable<typeof service.consumer>).groupId;
    probe = new KafkaProbe();
    await probe.watch([system.topic(Topics.declarationBatches.name)]);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    await probe.produce(system.topic(Topics.consultations.name), events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM declarations.declaration_lines')).rows[0].n === 5, { what: 'five lines' });
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  const finance = {
    get: (path: string) => request(url).get(path).set('Authorization', `Bearer ${TEST_KEYS.finance}`),
    post: (path: string, body: object = {}) => request(url).post(path).set('Authorization', `Bearer ${TEST_KEYS.finance}`).send(body),
  };

  it('closes one batch per payer for the complete week, publishes DeclarationBatchReady with totals and checksum', async () => {
    // The lines are in their (open) batch from the start: closing freezes the batch and rewrites no line.
    const versions = `SELECT id, xmin::text AS xmin, ctid::text AS ctid FROM declarations.declaration_lines ORDER BY id`;
    const before = (await db.query(versions)).rows;
    const { body } = await finance.post('/v1/batches/close', { until: '2026-11-16' }).expect(200);
    expect((await db.query(versions)).rows).toEqual(before);
    expect(body.closed.map((b: { payer: string; lineCount: number; totalCents: number }) => [b.payer, b.lineCount, b.totalCents]).sort()).toEqual([
      ['CAK', 2, 2458],
      ['RMO', 2, 1229 + 2458],
    ]);
    const ready = await eventually(async () => {
      const found = probe.records.map((r) => JSON.parse(r.value!)).filter((e) => e.type === DeclarationBatchReady.v1.type);
      return found.length === 2 ? found : undefined;
    });
    expect(ready.every((e) => e.data.periodStart === '2026-11-09' && e.data.periodEnd === '2026-11-15')).toBe(true);
    expect(shapeOf(ready[0])).toEqual(shapeOf(loadContractFixture(DeclarationBatchReady.v1)));
    // Closing again adds nothing; the line of the 17th waits for its week to end.
    const again = await finance.post('/v1/batches/close', { until: '2026-11-16' }).expect(200);
    expect(again.body.closed).toEqual([]);
    const { rows } = await db.query(`SELECT status FROM declarations.declaration_lines WHERE date_of_care = '2026-11-17'`);
    expect(rows).toEqual([{ status: 'open' }]);
  });

  it('exports a batch as CSV and as JSON, with the BSN for finance, matching the checksum', async () => {
    const { body: batches } = await finance.get('/v1/batches').expect(200);
    const rmo = batches.find((b: { payer: string }) => b.payer === 'RMO');
    const csv = await finance.get(`/v1/batches/${rmo.batchId}/export?format=csv`).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, ...rows] = csv.text.trim().split('\n');
    expect(header).toBe('line_id,consultation_id,date_of_care,performance_code,amount_cents,payer,gp_agb,practice_agb,patient_pseudonym,bsn');
    expect(rows.map((r) => r.split(',')[9])).toEqual(['123456782', '111222333']);
    const hash = createHash('sha256');
    for (const r of rows) {
      const c = r.split(',');
      hash.update(`${c[0]};${c[1]};${c[2]};${c[3]};${c[4]}\n`);
    }
    expect(hash.digest('hex')).toBe(rmo.checksum);
    expect(csv.headers['x-batch-checksum']).toBe(rmo.checksum);
    const json = await finance.get(`/v1/batches/${rmo.batchId}/export`).set('Accept', 'application/json').expect(200);
    expect(JSON.parse(json.text).map((l: { amount_cents: number }) => l.amount_cents)).toEqual([1229, 2458]);
    expect(JSON.parse(json.text).map((l: object) => Object.keys(l).join(','))).toEqual([header, header]);
    expect(JSON.parse(json.text).map((l: { bsn: string }) => l.bsn)).toEqual(['123456782', '111222333']);
    await request(url).get(`/v1/batches/${rmo.batchId}/export`).set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(403);
    await finance.get(`/v1/batches/${rmo.batchId}/export?format=xml`).expect(400);
  });

  it("finds a batch's lines in export order in an index, so an export streams from its first row without sorting the batch", async () => {
    const { body: batches } = await finance.get('/v1/batches').expect(200);
    const rmo = batches.find((b: { payer: string }) => b.payer === 'RMO');
    await db.query('BEGIN');
    try {
      // Index reads made to look dear, as for a batch whose lines are spread over a large table:
      // left to itself the planner would scan and sort. The export's setting still gets a plan
      // without a sort, which only an index holding the lines in LINE_ORDER can give.
      await db.query('SET LOCAL random_page_cost = 100000');
      await db.query(EXPORT_IN_INDEX_ORDER);
      const { rows } = await db.query(`EXPLAIN (FORMAT JSON) SELECT id FROM declarations.declaration_lines l WHERE l.batch_id = $1 ORDER BY ${LINE_ORDER}`, [rmo.batchId]);
      const plan = JSON.stringify(rows[0]['QUERY PLAN']);
      expect(plan).toContain('"Index Name":"declaration_lines_batch_order_idx"');
      expect(plan).not.toContain('"Node Type":"Sort"');
    } finally {
      await db.query('ROLLBACK');
    }
  });

  it('closes finished weeks on schedule too', async () => {
    const scheduled = await createTestSystem();
    try {
      const service = await scheduled.start(declarationsService, { env: { DECLARATIONS_PRIVATE_KEY: privatePem, BATCH_CLOSE_INTERVAL_SECONDS: '5' } });
      const p = new KafkaProbe();
      await p.produce(scheduled.topic(Topics.consultations.name), [consultation('2026-11-02')].map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
      await p.close();
      const check = new Client({ connectionString: scheduled.databaseUrl });
      await check.connect();
      try {
        await eventually(async () => (await check.query(`SELECT closed_by FROM declarations.declaration_batches`)).rows[0]?.closed_by === 'schedule', {
          what: 'a batch closed on schedule',
          timeoutMs: 30_000,
        });
      } finally {
        await check.end();
      }
      void service;
    } finally {
      await scheduled.stop();
    }
  });

  it('a closed batch is immutable: its lines cannot change, and no line can be added to it', async () => {
    const inClosedBatch = `batch_id IN (SELECT id FROM declarations.declaration_batches WHERE closed_at IS NOT NULL)`;
    await expect(db.query(`UPDATE declarations.declaration_lines SET amount_cents = 1 WHERE ${inClosedBatch}`)).rejects.toThrow(/closed batch/);
    await expect(db.query(`UPDATE declarations.declaration_lines SET status = 'needs-attention' WHERE ${inClosedBatch}`)).rejects.toThrow(/closed batch/);
    await expect(
      db.query(`INSERT INTO declarations.declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code, duration_class,
                                                          payer, payer_scheme, amount_cents, tariff_version, status, patient_pseudonym, batch_id)
                SELECT gen_random_uuid(), gen_random_uuid(), session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code, duration_class,
                       payer, payer_scheme, amount_cents, tariff_version, 'open', patient_pseudonym, batch_id
                  FROM declarations.declaration_lines WHERE ${inClosedBatch} LIMIT 1`),
    ).rejects.toThrow(/it is closed/);
    await expect(db.query(`UPDATE declarations.declaration_lines SET batch_id = (SELECT id FROM declarations.declaration_batches WHERE closed_at IS NOT NULL LIMIT 1) WHERE date_of_care = '2026-11-17'`)).rejects.toThrow(
      /closed or does not exist/,
    );
    await expect(db.query(`DELETE FROM declarations.declaration_batches WHERE closed_at IS NOT NULL`)).rejects.toThrow(/has lines/);
    await expect(db.query(`DELETE FROM declarations.declaration_lines WHERE ${inClosedBatch}`)).rejects.toThrow(/closed batch .* cannot be deleted/);
  });

  it("takes finance's outcome once, and only for the batch's own lines", async () => {
    const { body: batches } = await finance.get('/v1/batches').expect(200);
    const cak = batches.find((b: { payer: string }) => b.payer === 'CAK');
    const { rows } = await db.query('SELECT id FROM declarations.declaration_lines WHERE batch_id = $1 ORDER BY date_of_care', [cak.batchId]);
    const [a, b] = rows.map((r) => r.id);
    const stranger = randomUUID();
    const wrong = await finance.post(`/v1/batches/${cak.batchId}/outcome`, { accepted: [a, stranger], rejected: [] }).expect(400);
    expect(wrong.body).toMatchObject({ error: 'outcome_does_not_match_batch', notInBatch: [stranger], missing: [b] });
    await finance.post(`/v1/batches/${cak.batchId}/outcome`, { accepted: [a], rejected: [{ lineId: b, reason: 'patient not known to the CAK' }] }).expect(200);
    await finance.post(`/v1/batches/${cak.batchId}/outcome`, { accepted: [a, b], rejected: [] }).expect(409);
    const after = await db.query('SELECT status, rejection_reason FROM declarations.declaration_lines WHERE batch_id = $1 ORDER BY date_of_care', [cak.batchId]);
    expect(after.rows).toEqual([
      { status: 'accepted', rejection_reason: null },
      { status: 'rejected', rejection_reason: 'patient not known to the CAK' },
    ]);
    // Finance reviews the lines with their state, and never sees a BSN there; the coordination sees batches, not lines.
    const { body: lines } = await finance.get(`/v1/batches/${cak.batchId}/lines`).expect(200);
    expect(lines.map((l: { lineId: string; status: string; rejectionReason: string | null }) => [l.lineId, l.status, l.rejectionReason])).toEqual([
      [a, 'accepted', null],
      [b, 'rejected', 'patient not known to the CAK'],
    ]);
    for (const line of lines) expect(Object.keys(line).filter((k) => /bsn/i.test(k))).toEqual([]);
    const coordination = (path: string) => request(url).get(path).set('Authorization', `Bearer ${TEST_KEYS.coordination}`);
    expect((await coordination('/v1/batches').expect(200)).body.find((x: { batchId: string }) => x.batchId === cak.batchId).outcomeAt).toBeTruthy();
    await coordination(`/v1/batches/${cak.batchId}/lines`).expect(403);
    await finance.get(`/v1/batches/${randomUUID()}/lines`).expect(404);
  });

  it('a rejected line is corrected once, goes into a later batch, and the reconciliation accounts for every consultation', async () => {
    const [rejected] = (await db.query(`SELECT id FROM declarations.declaration_lines WHERE status = 'rejected'`)).rows;
    const [accepted] = (await db.query(`SELECT id FROM declarations.declaration_lines WHERE status = 'accepted'`)).rows;
    const unknown = await finance.post(`/v1/lines/${rejected.id}/correction`, { performanceCode: '99999' }).expect(400);
    expect(unknown.body.fields[0]).toMatchObject({ field: 'performanceCode', messages: [expect.stringContaining('99999')] });
    const { body: correction } = await finance.post(`/v1/lines/${rejected.id}/correction`, { performanceCode: '12001' }).expect(201);
    expect(correction).toMatchObject({ correctsLineId: rejected.id, performanceCode: '12001', amountCents: 2458 });
    await finance.post(`/v1/lines/${rejected.id}/correction`, {}).expect(409);
    await finance.post(`/v1/lines/${accepted.id}/correction`, {}).expect(409);
    const { body: closed } = await finance.post('/v1/batches/close', { until: '2026-11-16' }).expect(200);
    expect(closed.closed).toEqual([expect.objectContaining({ payer: 'CAK', lineCount: 1, totalCents: 2458 })]);

    const { body: report } = await finance.get('/v1/reconciliation?from=2026-11-01&to=2026-11-30').expect(200);
    expect(report).toMatchObject({ consultations: 5, lines: 6, reconciles: true });
    expect(report.byState).toEqual([
      { state: 'accepted', consultations: 1, amountCents: 1229 },
      { state: 'batched', consultations: 2, amountCents: 3687 },
      { state: 'batched (corrected)', consultations: 1, amountCents: 2458 },
      { state: 'open', consultations: 1, amountCents: 1229 },
    ]);
    await finance.get('/v1/reconciliation?from=2026-11-30&to=2026-11-01').expect(400);
  });

  it("logs a batch's export and outcome once, and finds that entry for each of the batch's patients and for nobody else (NEN 7513)", async () => {
    const auditOf = async (event: { data: { patientPseudonym: string } }) =>
      (await request(url).get('/v1/audit').query({ patientPseudonym: event.data.patientPseudonym }).set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200)).body
        .entries as Array<{ event: string; action: string; userId: string; subjectReference: string; resourceId: string; via?: string }>;
    const { body: batches } = await finance.get('/v1/batches').expect(200);
    const batchOf = (payer: string) => batches.find((b: { payer: string; periodStart: string }) => b.payer === payer && b.periodStart === '2026-11-09').batchId;
    const rmo = batchOf('RMO');
    const cak = batchOf('CAK');
    const entries = (event: (typeof events)[number]) => auditOf(event).then((all) => all.map((e) => [e.event, e.action, e.userId, e.via ?? null]));
    // Both RMO patients were in the exported RMO batch (exported twice above: CSV and JSON).
    for (const event of events.slice(0, 2)) {
      expect(await entries(event)).toEqual([
        ['declaration-line.recorded', 'create', 'service:declarations', null],
        ['declaration-batch.exported', 'export', 'finance-test', `declaration-batch:${rmo}`],
        ['declaration-batch.exported', 'export', 'finance-test', `declaration-batch:${rmo}`],
      ]);
    }
    // The CAK patients: the outcome for their batch, and for the one whose line was rejected, its correction.
    const [third, fourth] = await Promise.all([auditOf(events[2]), auditOf(events[3])]);
    for (const all of [third, fourth]) {
      expect(all.find((e) => e.event === 'declaration-line.outcome-recorded')).toMatchObject({ action: 'update', userId: 'finance-test', resourceId: cak, via: `declaration-batch:${cak}` });
      expect(all.some((e) => e.event === 'declaration-batch.exported')).toBe(false);
    }
    expect([...third, ...fourth].filter((e) => e.event === 'declaration-line.corrected')).toHaveLength(1);
    // The next week's line is in no closed batch: only its own entry.
    expect(await entries(events[4])).toEqual([['declaration-line.recorded', 'create', 'service:declarations', null]]);
  });

  it('a replay of the whole consultation topic changes no total', async () => {
    const before = (await request(url).get('/v1/lines/totals').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200)).body;
    await probe.produce(system.topic(Topics.consultations.name), events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    await eventually(async () => probe.caughtUp(groupId, system.topic(Topics.consultations.name)), { what: 'the replay consumed' });
    const after = (await request(url).get('/v1/lines/totals').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200)).body;
    expect(after).toEqual(before);
  });
});

describe('batches per calendar month when the region closes monthly (BATCH_PERIOD=month)', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let url: string;
  let groupId: string;
  const events = [consultation('2026-10-01'), consultation('2026-10-31', '123456782'), consultation('2026-10-15'), consultation('2026-11-02')];

  beforeAll(async () => {
    system = await createTestSystem();
    const service = await system.start(declarationsService, { env: { DECLARATIONS_PRIVATE_KEY: privatePem, BATCH_PERIOD: 'month' } });
    url = service.url;
    groupId = (service.consumer as NonNullable<typeof service.consumer>).groupId;
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    probe = new KafkaProbe();
    await probe.produce(system.topic(Topics.consultations.name), events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM declarations.declaration_lines')).rows[0].n === 4, { what: 'four lines' });
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  it('closes the complete month per payer and leaves the month still running open', async () => {
    const summary = (closed: Array<{ payer: string; periodStart: string; periodEnd: string; lineCount: number }>) => closed.map((b) => [b.payer, b.periodStart, b.periodEnd, b.lineCount]);
    // By hand for one payer first, then for the others.
    const rmo = await request(url).post('/v1/batches/close').set('Authorization', `Bearer ${TEST_KEYS.finance}`).send({ payer: 'RMO', until: '2026-11-15' }).expect(200);
    expect(summary(rmo.body.closed)).toEqual([['RMO', '2026-10-01', '2026-10-31', 1]]);
    const { body } = await request(url).post('/v1/batches/close').set('Authorization', `Bearer ${TEST_KEYS.finance}`).send({ until: '2026-11-15' }).expect(200);
    expect(summary(body.closed)).toEqual([['CAK', '2026-10-01', '2026-10-31', 2]]);
    const open = await db.query(
      `SELECT to_char(l.date_of_care, 'YYYY-MM-DD') AS d FROM declarations.declaration_lines l JOIN declarations.declaration_batches b ON b.id = l.batch_id WHERE b.closed_at IS NULL`,
    );
    expect(open.rows).toEqual([{ d: '2026-11-02' }]);
  });

  it('a consultation that arrives after its month was closed goes into a new batch for that payer and month; a replay goes nowhere', async () => {
    const finance = (r: request.Test) => r.set('Authorization', `Bearer ${TEST_KEYS.finance}`);
    const { body: closedBefore } = await finance(request(url).get('/v1/batches')).expect(200);
    const late = consultation('2026-10-20');
    const replayed = createEnvelope({ type: events[1].type, source: events[1].source, subject: events[1].subject, data: events[1].data });
    await probe.produce(system.topic(Topics.consultations.name), [late, replayed].map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    const openBatches = `SELECT b.payer, to_char(b.period_start, 'YYYY-MM-DD') AS period_start, (SELECT count(*)::int FROM declarations.declaration_lines l WHERE l.batch_id = b.id) AS lines
                           FROM declarations.declaration_batches b WHERE b.closed_at IS NULL ORDER BY 1, 2`;
    // The replay of October's RMO consultation adds no line (an empty open batch at most, which the close removes).
    await eventually(async () => (await db.query(openBatches)).rows.some((b) => b.payer === 'CAK' && b.period_start === '2026-10-01' && b.lines === 1), { what: 'the late line in an open batch' });
    // Nothing in the database shows the replay was consumed (it adds no line, and consultations get no inbox rows, decision 0033): the group's committed offsets do.
    await eventually(async () => probe.caughtUp(groupId, system.topic(Topics.consultations.name)), { what: 'the replay consumed' });
    const { body } = await finance(request(url).post('/v1/batches/close')).send({ until: '2026-11-15' }).expect(200);
    expect(body.closed.map((b: { payer: string; periodStart: string; periodEnd: string; lineCount: number; totalCents: number }) => [b.payer, b.periodStart, b.periodEnd, b.lineCount, b.totalCents])).toEqual([
      ['CAK', '2026-10-01', '2026-10-31', 1, 1229],
    ]);
    expect(closedBefore.map((b: { batchId: string }) => b.batchId)).not.toContain(body.closed[0].batchId);
    // The batches closed before are exactly as they were; only November's stays open.
    const { body: closedAfter } = await finance(request(url).get('/v1/batches')).expect(200);
    expect(closedAfter.filter((b: { batchId: string }) => b.batchId !== body.closed[0].batchId)).toEqual(closedBefore);
    expect((await db.query(openBatches)).rows).toEqual([{ payer: 'CAK', period_start: '2026-11-01', lines: 1 }]);
  });

  it('refuses a period the service does not know at start-up, naming the variable', async () => {
    await expect(system.start(declarationsService, { env: { BATCH_PERIOD: 'fortnight' } })).rejects.toThrow(/BATCH_PERIOD/);
  });
});
