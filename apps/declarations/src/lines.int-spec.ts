import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createEnvelope, Topics } from '@draaiboek/contracts';
import { Outcome } from '@draaiboek/messaging';
import { createTestSystem, eventually, KafkaProbe, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { declarationsService } from './declarations.service';
import { consultationRecorded as consultation } from './testing/consultation-recorded';

jest.setTimeout(120_000);

describe('declaration lines: each consultation becomes exactly one line (rule 4), on real Kafka and Postgres', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let url: string;
  let topic: string;
  /** What the consumer made of each event, by event id. */
  const outcomes = new Map<string, Outcome[]>();

  beforeAll(async () => {
    system = await createTestSystem();
    const service = await system.start(declarationsService);
    url = service.url;
    service.consumer?.onOutcome((outcome, id) => id && outcomes.set(id, [...(outcomes.get(id) ?? []), outcome]));
    probe = new KafkaProbe();
    topic = system.topic(Topics.consultations.name);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  const send = (...events: Array<{ subject: string }>) => probe.produce(topic, events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
  const outcomesOf = (eventId: string, n: number) =>
    eventually(async () => ((outcomes.get(eventId)?.length ?? 0) >= n ? outcomes.get(eventId) : undefined), { what: `${n} outcomes of event ${eventId}` });
  const lines = async (consultationId: string) =>
    (await db.query('SELECT payer, amount_cents, status, problem FROM declarations.declaration_lines WHERE consultation_id = $1', [consultationId])).rows;

  it('routes the line to its payer with the tariff in force, once, even when delivered twice', async () => {
    const event = consultation({ payerStatus: { bsnKnown: false, thirdCountryNational: false } });
    await send(event, event);
    const [line] = await eventually(async () => ((await lines(event.subject)).length ? lines(event.subject) : undefined), { what: 'the line' });
    expect(line).toMatchObject({ payer: 'CAK', amount_cents: '1229', status: 'open', problem: null });
    expect(await outcomesOf(event.id, 2)).toEqual(['applied', 'duplicate']);
    expect(await lines(event.subject)).toHaveLength(1);
  });

  it('a replay of the topic (the same consultation under a new event id) adds no second line', async () => {
    const first = consultation();
    const replayed = createEnvelope({ type: first.type, source: first.source, subject: first.subject, data: first.data });
    await send(first);
    await eventually(async () => (await lines(first.subject)).length === 1);
    await send(replayed, first);
    expect(await outcomesOf(replayed.id, 1)).toEqual(['duplicate']);
    expect(await outcomesOf(first.id, 2)).toEqual(['applied', 'duplicate']);
    expect(await lines(first.subject)).toHaveLength(1);
  });

  it('records no inbox rows for consultations: the consultation id is their key (decision 0033)', async () => {
    const event = consultation();
    // The same consultation under a second event id in the same chunk: the first event adds the line.
    const twin = createEnvelope({ type: event.type, source: event.source, subject: event.subject, data: event.data });
    await send(event, twin);
    expect(await outcomesOf(event.id, 1)).toEqual(['applied']);
    expect(await outcomesOf(twin.id, 1)).toEqual(['duplicate']);
    expect(await lines(event.subject)).toHaveLength(1);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM declarations.inbox WHERE event_type = $1', [event.type]);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('the same consultations in two partitions at once (as when a partition changes hands mid-batch) still make one line each, logged once', async () => {
    // Partitions are applied concurrently (0029): both copies are written at the same time, and
    // one chunk finds the other's lines only when it copies its own (the unique index refuses it).
    const pseudonym = randomBytes(32).toString('hex');
    const firsts = Array.from({ length: 400 }, () => consultation({ patientPseudonym: pseudonym }));
    const replays = firsts.map((e) => createEnvelope({ type: e.type, source: e.source, subject: e.subject, data: e.data }));
    // One produce request: both partitions are appended before the consumer's next fetch returns.
    await probe.produce(topic, [
      ...firsts.map((e) => ({ key: e.subject, value: JSON.stringify(e), partition: 0 })),
      ...replays.map((e) => ({ key: e.subject, value: JSON.stringify(e), partition: 1 })),
    ]);
    const verdicts = await Promise.all(firsts.map(async (e, i) => [...(await outcomesOf(e.id, 1)), ...(await outcomesOf(replays[i].id, 1))].sort()));
    expect(verdicts).toEqual(firsts.map(() => ['applied', 'duplicate']));
    const ids = firsts.map((e) => e.subject);
    const { rows } = await db.query('SELECT count(*)::int AS n, count(DISTINCT consultation_id)::int AS consultations FROM declarations.declaration_lines WHERE consultation_id = ANY($1::uuid[])', [ids]);
    expect(rows).toEqual([{ n: 400, consultations: 400 }]);
    const { rows: entries } = await db.query(
      `SELECT count(*)::int AS n, count(l.id)::int AS of_lines FROM declarations.audit_log a LEFT JOIN declarations.declaration_lines l ON l.id::text = a.resource_id
        WHERE a.subject_kind = 'patient' AND a.subject_reference = $1 AND a.event = 'declaration-line.recorded'`,
      [pseudonym],
    );
    expect(entries).toEqual([{ n: 400, of_lines: 400 }]);
  });

  it('logs each new line once for its patient (NEN 7513), not again for a redelivery or a replay', async () => {
    const first = consultation({ patientPseudonym: randomBytes(32).toString('hex') });
    const replayed = createEnvelope({ type: first.type, source: first.source, subject: first.subject, data: first.data });
    await send(first, first);
    await eventually(async () => (await lines(first.subject)).length === 1);
    await send(replayed);
    expect(await outcomesOf(replayed.id, 1)).toEqual(['duplicate']);
    const { rows: recorded } = await db.query('SELECT id::text FROM declarations.declaration_lines WHERE consultation_id = $1', [first.subject]);
    const { rows: entries } = await db.query(
      'SELECT event, action, resource_id, user_id, responsible_user_id FROM declarations.audit_log WHERE subject_kind = $1 AND subject_reference = $2',
      ['patient', first.data.patientPseudonym],
    );
    expect(entries).toEqual([
      { event: 'declaration-line.recorded', action: 'create', resource_id: recorded[0].id, user_id: 'service:declarations', responsible_user_id: 'service:clinic-scheduling' },
    ]);
  });

  it('an unknown code or a date without a tariff still becomes a line, marked for attention: nothing lost', async () => {
    const unknown = consultation({ performanceCode: '99999' });
    const noTariff = consultation({ dateOfCare: '2027-02-01' });
    await send(unknown, noTariff);
    const [a] = await eventually(async () => ((await lines(unknown.subject)).length ? lines(unknown.subject) : undefined));
    expect(a).toMatchObject({ status: 'needs-attention', amount_cents: null, problem: expect.stringContaining('99999') });
    const [b] = await eventually(async () => ((await lines(noTariff.subject)).length ? lines(noTariff.subject) : undefined));
    expect(b).toMatchObject({ status: 'needs-attention', problem: expect.stringContaining('no tariff') });
  });

  it('shows the coordination and finance totals per payer and status; others see nothing', async () => {
    const rmo = consultation({ payerStatus: { bsnKnown: true, thirdCountryNational: false }, encryptedBsn: { keyId: 'k', alg: 'RSA-OAEP-256+A256GCM', encryptedKey: 'a', iv: 'b', ciphertext: 'c', tag: 'd' } });
    await send(rmo);
    await eventually(async () => (await lines(rmo.subject)).length === 1);
    const { body } = await request(url).get('/v1/lines/totals').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200);
    expect(body).toEqual(expect.arrayContaining([{ payer: 'RMO', status: 'open', lines: 1, amountCents: 1229 }]));
    await request(url).get('/v1/lines/totals').set('Authorization', `Bearer ${TEST_KEYS.emmen}`).expect(403);
  });

  it('without the declarations private key, a batch holding BSNs is not exported (503); one without BSNs is', async () => {
    const finance = `Bearer ${TEST_KEYS.finance}`;
    const { body } = await request(url).post('/v1/batches/close').set('Authorization', finance).send({ until: '2026-11-30' }).expect(200);
    const rmo = body.closed.find((b: { payer: string }) => b.payer === 'RMO');
    const cak = body.closed.find((b: { payer: string }) => b.payer === 'CAK');
    const refused = await request(url).get(`/v1/batches/${rmo.batchId}/export?format=csv`).set('Authorization', finance).expect(503);
    expect(refused.body).toMatchObject({ error: 'declarations_key_missing' });
    const csv = await request(url).get(`/v1/batches/${cak.batchId}/export?format=csv`).set('Authorization', finance).expect(200);
    expect(csv.text.trim().split('\n')).toHaveLength(1 + cak.lineCount);
  });
});
