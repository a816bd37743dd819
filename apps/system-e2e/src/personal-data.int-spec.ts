import request from 'supertest';
import { Client } from 'pg';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ALL_TOPICS, deadLetterTopicOf, personalDataIn, personalDataInText, PersonalDataFinding, Topics } from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { clinicSchedulingService, declarationsService, intakeService, practiceNotificationService } from './all-services';

jest.setTimeout(180_000);

// Personal values of the scenario: none may appear in a log line or a Kafka record.
const BSN = '123456782';
const PATIENT_REFERENCE = 'WB-CANARY-7781';
const GP_NAME = 'Huisarts Canary-Jansen';
const GP_EMAIL = 'canary.jansen@example.org';
const CONTACT_NAME = 'Praktijkhouder Canary-de Vries';
const CONTACT_EMAIL = 'canary.devries@example.org';
const KNOWN = [BSN, PATIENT_REFERENCE, GP_NAME, GP_EMAIL, CONTACT_NAME, CONTACT_EMAIL];
const GP = '88000011';
/** A record the test itself sends with personal data in it, as a careless producer might. */
const POISON_KEY = 'poison-from-the-test';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

describe('no personal data in logs or on Kafka: the whole scenario, captured', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  const logs: string[] = [];
  const urls: Record<string, string> = {};
  const GP_KEY = `pd-gp-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    system = await createTestSystem({ apiKeys: [{ id: 'gp-canary', key: GP_KEY, roles: ['gp'], gpAgb: GP }] });
    const debug = { LOG_LEVEL: 'debug' };
    const log = (line: string) => logs.push(line);
    probe = new KafkaProbe();
    const topics = ALL_TOPICS.flatMap((t) => [system.topic(t.name), deadLetterTopicOf(system.topic(t.name))]);
    urls.intake = (await system.start(intakeService, { env: debug, log })).url;
    urls.practice = (await system.start(practiceNotificationService, { env: debug, log })).url;
    urls.clinic = (await system.start(clinicSchedulingService, { env: { ...debug, DECLARATIONS_PUBLIC_KEY: publicKey, PATIENT_PSEUDONYM_KEY: `pd-${randomBytes(16).toString('hex')}` }, log })).url;
    urls.declarations = (await system.start(declarationsService, { env: { ...debug, DECLARATIONS_PRIVATE_KEY: privateKey }, log })).url;
    await probe.watch(topics);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  const as = (key: string) => ({
    post: (url: string, path: string, body: object) => request(url).post(path).set('Authorization', `Bearer ${key}`).send(body),
    csv: (url: string, path: string, csv: string) => request(url).post(path).set('Authorization', `Bearer ${key}`).set('content-type', 'text/csv').send(csv),
    get: (url: string, path: string) => request(url).get(path).set('Authorization', `Bearer ${key}`),
  });
  const coordination = as(TEST_KEYS.coordination);

  it('runs from the directory and an arrival to a consultation with a BSN, its declaration and its export', async () => {
    await coordination
      .csv(urls.practice, '/v1/directory/practices', `agb,name,street,postcode,city,latitude,longitude,hagro,wagro,catchment,contact_name,contact_email\n99000001,Praktijk Canary,Hoofdstraat 1,7811 AB,Emmen,52.78,6.89,EMMEN-ZUID,WAGRO-EMMEN,7811 7812,${CONTACT_NAME},${CONTACT_EMAIL}\n`)
      .expect(200);
    await coordination.csv(urls.practice, '/v1/directory/gps', `agb,practice_agb,name,email,fte\n${GP},99000001,${GP_NAME},${GP_EMAIL},1.0\n`).expect(200);
    await as(TEST_KEYS.emmen)
      .post(urls.intake, '/v1/arrivals', {
        reference: 'EMM-2026-PD01',
        municipalityCode: 'GM0114',
        location: { name: 'AZC Emmen', postcode: '7811 AA', kind: 'reception-centre' },
        headcount: 140,
        arrivalDate: new Date().toISOString().slice(0, 10),
        composition: { children: 50, adults: 80, over65: 10, pregnant: 3, chronicCareNeeds: 12 },
        withBsnCount: 90,
      })
      .expect(202);
    // The practice is signalled (and mailed); clinic scheduling learns the group and the GP.
    await eventually(async () => (await db.query('SELECT 1 FROM practice_notification.notifications LIMIT 1')).rows.length > 0, { what: 'a practice notification' });
    const { rows: known } = await eventually(async () => {
      const result = await db.query('SELECT location_id FROM clinic_scheduling.known_groups LIMIT 1');
      return result.rows.length ? result : undefined;
    }, { what: 'the group in clinic scheduling' });
    await eventually(async () => (await db.query('SELECT 1 FROM clinic_scheduling.gps WHERE agb = $1', [GP])).rows.length > 0, { what: 'the GP in clinic scheduling' });

    const location = await coordination.post(urls.clinic, '/v1/central-locations', { name: 'Spreekuur AZC Emmen', postcode: '7811 AA', latitude: 52.78, longitude: 6.9, receptionLocationId: known[0].location_id }).expect(201);
    await coordination.post(urls.clinic, `/v1/central-locations/${location.body.id}/override`, { reason: 'arranged by phone' }).expect(200);
    const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const next = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const session = await coordination.post(urls.clinic, `/v1/central-locations/${location.body.id}/sessions`, { date: day, startTime: '09:00', endTime: '11:00', capacity: 16 }).expect(201);
    await request(urls.clinic).put(`/v1/gps/${GP}/preferences`).set('Authorization', `Bearer ${GP_KEY}`).send({ maxShiftsPerMonth: 8, maxTravelKm: 60, unavailable: [] }).expect(200);
    const plan = await coordination.post(urls.clinic, '/v1/roster/plan', { from: day, to: next }).expect(200);
    expect(plan.body.planned).toBeGreaterThan(0);
    await coordination.post(urls.clinic, '/v1/roster/publish', { from: day, to: next }).expect(200);
    // The session begins (moved forward in time: consultations are recorded once it has started).
    await db.query(`UPDATE clinic_scheduling.sessions SET starts_at = now() - interval '5 minutes' WHERE id = $1`, [session.body.id]);

    const consultation = await as(GP_KEY)
      .post(urls.clinic, `/v1/sessions/${session.body.id}/consultations`, { performanceCode: '12000', durationClass: 'regular', bsnKnown: true, bsn: BSN, thirdCountryNational: true, patientReference: PATIENT_REFERENCE })
      .expect(201);
    await eventually(async () => (await db.query('SELECT 1 FROM declarations.declaration_lines WHERE consultation_id = $1', [consultation.body.consultationId])).rows.length > 0, { what: 'the declaration line' });
    const until = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const closed = await as(TEST_KEYS.finance).post(urls.declarations, '/v1/batches/close', { until }).expect(200);
    const exported = await as(TEST_KEYS.finance).get(urls.declarations, `/v1/batches/${closed.body.closed[0].batchId}/export?format=csv`).expect(200);
    expect(exported.text).toContain(BSN); // finance gets it, and only finance

    // A refused record lands on a dead-letter topic: it too must not echo personal data.
    await probe.produce(system.topic(Topics.consultations.name), [{ key: POISON_KEY, value: JSON.stringify({ data: { bsn: BSN, name: GP_NAME } }) }]);
    await eventually(async () => probe.records.some((r) => r.topic.endsWith('.dlq')), { what: 'the dead letter' });
    await eventually(async () => probe.records.some((r) => r.topic.includes('declaration')), { what: 'DeclarationBatchReady' });
  });

  it('wrote no BSN, name, e-mail address or patient reference in any log line', () => {
    expect(logs.length).toBeGreaterThan(20);
    const findings: Array<PersonalDataFinding & { line: string }> = [];
    logs.forEach((line, i) => findings.push(...personalDataInText(line, KNOWN, `log[${i}]`).map((f) => ({ ...f, line: line.slice(0, 300) }))));
    expect(findings).toEqual([]);
  });

  it('published no personal data in plaintext on any topic, dead-letter topics included', () => {
    const findings: Array<PersonalDataFinding & { topic: string }> = [];
    for (const record of probe.records) {
      if (record.topic.endsWith('.dlq')) {
        // The refused value is kept as it came (for its sender to see); the reason in the headers says nothing personal.
        for (const [name, value] of Object.entries(record.headers)) findings.push(...personalDataInText(String(value), KNOWN, `header ${name}`).map((f) => ({ ...f, topic: record.topic })));
        continue;
      }
      if (record.key === POISON_KEY) continue;
      findings.push(...personalDataIn(JSON.parse(record.value ?? 'null'), KNOWN).map((f) => ({ ...f, topic: record.topic })));
      findings.push(...personalDataInText(record.key ?? '', KNOWN, 'key').map((f) => ({ ...f, topic: record.topic })));
    }
    expect(probe.records.filter((r) => !r.topic.endsWith('.dlq')).length).toBeGreaterThan(5);
    expect(findings).toEqual([]);
  });
});
