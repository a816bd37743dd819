import request from 'supertest';
import { Client } from 'pg';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createTestSystem, eventually, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { amsterdamDateOf, pseudonymOf } from '@draaiboek/platform';
import { clinicSchedulingService, declarationsService, practiceNotificationService } from './all-services';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const GP = '01000001';
const GP_KEY = 'audit-test-gp-key';
const PSEUDONYM_KEY = `audit-pseudonym-${randomBytes(16).toString('hex')}`;
const PATIENT_REFERENCE = 'WB-4411-AUDIT';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

describe('NEN 7513 audit: every read or change of person-level data is logged, append-only, and queryable by the coordination', () => {
  let system: TestSystem;
  let db: Client;
  let clinicUrl: string;
  let declarationsUrl: string;
  let practiceUrl: string;
  const pseudonym = pseudonymOf(PSEUDONYM_KEY, PATIENT_REFERENCE);

  beforeAll(async () => {
    system = await createTestSystem({ apiKeys: [{ id: 'gp-jansen', key: GP_KEY, roles: ['gp'], gpAgb: GP }] });
    clinicUrl = (await system.start(clinicSchedulingService, { env: { DECLARATIONS_PUBLIC_KEY: publicKey, DECLARATIONS_KEY_ID: 'decl-1', PATIENT_PSEUDONYM_KEY: PSEUDONYM_KEY } })).url;
    declarationsUrl = (await system.start(declarationsService, { env: { DECLARATIONS_PRIVATE_KEY: privateKey } })).url;
    practiceUrl = (await system.start(practiceNotificationService)).url;
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  async function rosteredSession(): Promise<string> {
    const locationId = randomUUID();
    const sessionId = randomUUID();
    const startsAt = new Date(Date.now() - HOUR);
    await db.query(`INSERT INTO clinic_scheduling.practices (agb, hagro_code, latitude, longitude) VALUES ('02000001', 'H1', 52.78, 6.90) ON CONFLICT DO NOTHING`);
    await db.query(`INSERT INTO clinic_scheduling.gps (agb, practice_agb, fte) VALUES ($1, '02000001', 1.0) ON CONFLICT DO NOTHING`, [GP]);
    await db.query(`INSERT INTO clinic_scheduling.central_locations (id, name, postcode, opened_by) VALUES ($1, 'Centraal spreekuur', '7811 AA', 'test')`, [locationId]);
    await db.query(
      `INSERT INTO clinic_scheduling.sessions (id, central_location_id, local_date, starts_at, ends_at, capacity, gp_slots, status) VALUES ($1, $2, $3, $4, $5, 20, 2, 'scheduled')`,
      [sessionId, locationId, amsterdamDateOf(startsAt), startsAt, new Date(startsAt.getTime() + 3 * HOUR)],
    );
    await db.query(`INSERT INTO clinic_scheduling.shifts (id, session_id, slot, gp_agb, status, explanation) VALUES ($1, $2, 0, $3, 'published', '{}')`, [randomUUID(), sessionId, GP]);
    return sessionId;
  }

  const auditOf = (url: string, query: Record<string, string>, key: string = TEST_KEYS.coordination) =>
    request(url).get('/v1/audit').query(query).set('Authorization', `Bearer ${key}`);

  it("follows a patient's consultation into declarations and finance's export: event, time, patient, user and responsible user", async () => {
    const sessionId = await rosteredSession();
    const recorded = await request(clinicUrl)
      .post(`/v1/sessions/${sessionId}/consultations`)
      .set('Authorization', `Bearer ${TEST_KEYS.coordination}`)
      .set('X-On-Behalf-Of', `gp:${GP}`)
      .send({ gpAgb: GP, performanceCode: '12000', durationClass: 'regular', bsnKnown: true, bsn: '123456782', thirdCountryNational: true, patientReference: PATIENT_REFERENCE })
      .expect(201);
    const consultationId: string = recorded.body.consultationId;

    // The coordination asks clinic scheduling by the patient's own reference.
    const clinic = await auditOf(clinicUrl, { patientReference: PATIENT_REFERENCE }).expect(200);
    expect(clinic.body.entries).toEqual([
      expect.objectContaining({
        event: 'consultation.recorded',
        action: 'create',
        subjectKind: 'patient',
        subjectReference: pseudonym,
        resourceId: consultationId,
        userId: 'coordination-test',
        responsibleUserId: `gp:${GP}`,
      }),
    ]);
    expect(Date.now() - Date.parse(clinic.body.entries[0].occurredAt)).toBeLessThan(60_000);

    // Declarations records its line from the event, then finance closes and exports the batch.
    const lineEntry = await eventually(async () => {
      const { body } = await auditOf(declarationsUrl, { patientPseudonym: pseudonym });
      return body.entries?.find((e: { event: string }) => e.event === 'declaration-line.recorded');
    }, { what: 'the declaration line in the audit log' });
    expect(lineEntry).toMatchObject({ userId: 'service:declarations', responsibleUserId: 'service:clinic-scheduling' });
    const until = new Date(Date.now() + 8 * 24 * HOUR).toISOString().slice(0, 10);
    const closed = await request(declarationsUrl).post('/v1/batches/close').set('Authorization', `Bearer ${TEST_KEYS.finance}`).send({ until }).expect(200);
    const batchId = closed.body.closed[0].batchId;
    const exported = await request(declarationsUrl).get(`/v1/batches/${batchId}/export?format=json`).set('Authorization', `Bearer ${TEST_KEYS.finance}`).expect(200);
    expect(JSON.parse(exported.text)[0].bsn).toBe('123456782');

    const declarations = await auditOf(declarationsUrl, { patientPseudonym: pseudonym }).expect(200);
    expect(declarations.body.entries.map((e: { event: string; action: string; userId: string }) => [e.event, e.action, e.userId])).toEqual([
      ['declaration-line.recorded', 'create', 'service:declarations'],
      ['declaration-batch.exported', 'export', 'finance-test'],
    ]);
    // One entry for the whole (closed) batch, found for each of its patients through the batch.
    expect(declarations.body.entries[1]).toMatchObject({ responsibleUserId: 'finance-test', subjectReference: pseudonym, resourceId: batchId, via: `declaration-batch:${batchId}` });
  });

  it("logs reading and changing GPs' personal data in the directory", async () => {
    await request(practiceUrl)
      .post('/v1/directory/practices')
      .set('Authorization', `Bearer ${TEST_KEYS.coordination}`)
      .set('Content-Type', 'text/csv')
      .send('agb,name,street,postcode,city,latitude,longitude,hagro,wagro,catchment,contact_name,contact_email\n02000001,Huisartsenpraktijk De Es,Hoofdstraat 1,7811 AB,Emmen,52.78,6.89,EMMEN-ZUID,WAGRO-EMMEN,7811,Praktijkhouder,praktijk@example.org\n')
      .expect(200);
    await request(practiceUrl)
      .post('/v1/directory/gps')
      .set('Authorization', `Bearer ${TEST_KEYS.coordination}`)
      .set('Content-Type', 'text/csv')
      .send(`agb,practice_agb,name,email,fte\n${GP},02000001,Dokter Jansen,jansen@example.org,0.8\n`)
      .expect(200);
    await request(practiceUrl).get('/v1/directory/gps.csv').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200);
    const { body } = await auditOf(practiceUrl, { gpAgb: GP }).expect(200);
    expect(body.entries.map((e: { event: string; action: string; userId: string }) => [e.event, e.action, e.userId])).toEqual([
      ['gp.imported', 'update', 'coordination-test'],
      ['gp.exported', 'export', 'coordination-test'],
    ]);
  });

  it('is for the coordination only, and asks for exactly one subject', async () => {
    await auditOf(clinicUrl, { patientReference: PATIENT_REFERENCE }, GP_KEY).expect(403);
    await auditOf(declarationsUrl, { patientPseudonym: pseudonym }, TEST_KEYS.finance).expect(403);
    const both = await auditOf(clinicUrl, { patientReference: PATIENT_REFERENCE, gpAgb: GP }).expect(400);
    expect(both.body.error).toBe('validation_failed');
    await auditOf(declarationsUrl, { patientReference: PATIENT_REFERENCE }).expect(400);
  });

  it.each(['clinic_scheduling', 'declarations', 'practice_notification'])('refuses to change or remove entries in %s, whoever asks', async (schema) => {
    await db.query(`INSERT INTO ${schema}.audit_log (event, action, subject_kind, subject_reference, user_id, responsible_user_id) VALUES ('test.entry', 'read', 'patient', 'x', 'u', 'u')`);
    await expect(db.query(`UPDATE ${schema}.audit_log SET user_id = 'someone-else'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM ${schema}.audit_log`)).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE ${schema}.audit_log`)).rejects.toThrow(/append-only/);
  });
});
