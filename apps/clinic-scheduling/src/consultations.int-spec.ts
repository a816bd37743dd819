import request from 'supertest';
import { Client } from 'pg';
import { createHmac, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { ConsultationRecorded, shapeOf, Topics } from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, loadContractFixture, ProbedRecord, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { amsterdamDateOf, amsterdamToUtc, DecryptionError, decryptWith } from '@draaiboek/platform';
import { RunningService } from '@draaiboek/messaging';
import { clinicSchedulingService } from './clinic-scheduling.service';
import { ClinicSchedulingConfig } from './config/clinic-scheduling.config';
import { Consultations1764000100000 } from './migrations/1764000100000-consultations';
import { ConsultationsModule } from './modules/consultations/consultations.module';

jest.setTimeout(120_000);

const GP_A = '01000001';
const GP_B = '01000002';
const GP_C = '01000003'; // in the directory, rostered nowhere
const KEYS = {
  gpA: 'test-key-gp-a',
  gpB: 'test-key-gp-b',
  gpC: 'test-key-gp-c',
  gpWithoutAgb: 'test-key-gp-without-agb',
};
const API_KEYS = [
  { id: 'gp-a', key: KEYS.gpA, roles: ['gp'], gpAgb: GP_A },
  { id: 'gp-b', key: KEYS.gpB, roles: ['gp'], gpAgb: GP_B },
  { id: 'gp-c', key: KEYS.gpC, roles: ['gp'], gpAgb: GP_C },
  { id: 'gp-without-agb', key: KEYS.gpWithoutAgb, roles: ['gp'] },
];

function rsaPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}
const declarations = rsaPair();
const someoneElse = rsaPair();
const PSEUDONYM_KEY = `test-pseudonym-${randomBytes(24).toString('hex')}`;
const KEY_ID = 'declarations-test';

const BSN = '123456782';
const REFERENCE = 'WB-7781-ZOE';
const HOUR = 3_600_000;

describe('consultations: recorded without plaintext identifiers, within capacity, and evaluated per week, on real Kafka and Postgres', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let url: string;
  let running: RunningService<ClinicSchedulingConfig>;
  const logLines: string[] = [];
  let topic: string;

  beforeAll(async () => {
    system = await createTestSystem({ apiKeys: API_KEYS });
    running = await system.start(clinicSchedulingService, {
      env: { DECLARATIONS_PUBLIC_KEY: declarations.publicKey, DECLARATIONS_KEY_ID: KEY_ID, PATIENT_PSEUDONYM_KEY: PSEUDONYM_KEY, LOG_LEVEL: 'debug' },
      log: (line) => logLines.push(line),
    });
    url = running.url;
    topic = system.topic(Topics.consultations.name);
    probe = new KafkaProbe();
    await probe.watch([topic]);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    await db.query('SET search_path = clinic_scheduling');
    await db.query(`INSERT INTO practices (agb, hagro_code, latitude, longitude) VALUES ('02000001', 'H1', 52.78, 6.90), ('02000002', 'H1', 52.99, 6.56)`);
    await db.query(
      `INSERT INTO gps (agb, practice_agb, fte) VALUES ($1, '02000001', 0.8), ($2, '02000002', 1.0), ($3, '02000002', 0.5)`,
      [GP_A, GP_B, GP_C],
    );
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  const as = (key: string, base = () => url) => ({
    post: (path: string, body: object) => request(base()).post(path).set('Authorization', `Bearer ${key}`).send(body),
    get: (path: string) => request(base()).get(path).set('Authorization', `Bearer ${key}`),
  });
  const gpA = as(KEYS.gpA);
  const gpB = as(KEYS.gpB);
  const gpC = as(KEYS.gpC);
  const coordination = as(TEST_KEYS.coordination);

  // The roster module is written in parallel: locations, sessions and shifts are seeded with SQL.
  async function centralLocation(name = 'Centraal spreekuur AZC Emmen'): Promise<string> {
    const id = randomUUID();
    await db.query(`INSERT INTO central_locations (id, name, postcode, opened_by) VALUES ($1, $2, '7811 AA', 'test')`, [id, name]);
    return id;
  }

  async function session(
    locationId: string,
    { startsAt = new Date(Date.now() - HOUR), capacity = 20, status = 'scheduled' }: { startsAt?: Date; capacity?: number; status?: 'scheduled' | 'cancelled' } = {},
  ): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO sessions (id, central_location_id, local_date, starts_at, ends_at, capacity, gp_slots, status, cancelled_reason)
       VALUES ($1, $2, $3, $4, $5, $6, 2, $7, $8)`,
      [id, locationId, amsterdamDateOf(startsAt), startsAt, new Date(startsAt.getTime() + 3 * HOUR), capacity, status, status === 'cancelled' ? 'coordination' : null],
    );
    return id;
  }

  async function shift(sessionId: string, gpAgb: string, status: 'draft' | 'published' | 'released' = 'published'): Promise<void> {
    const [{ slot }] = (await db.query('SELECT count(*)::int AS slot FROM shifts WHERE session_id = $1', [sessionId])).rows;
    await db.query(`INSERT INTO shifts (id, session_id, slot, gp_agb, status, explanation) VALUES ($1, $2, $3, $4, $5, '{}')`, [
      randomUUID(),
      sessionId,
      slot,
      gpAgb,
      status,
    ]);
  }

  /** A session in progress with GP A (and optionally others) on published shifts. */
  async function rosteredSession(options: { capacity?: number; startsAt?: Date; gps?: string[]; locationId?: string } = {}): Promise<string> {
    const id = await session(options.locationId ?? (await centralLocation()), options);
    for (const gp of options.gps ?? [GP_A]) await shift(id, gp);
    return id;
  }

  const consultation = (overrides: object = {}) => ({
    performanceCode: '12000',
    durationClass: 'regular',
    bsnKnown: false,
    thirdCountryNational: true,
    patientReference: `WB-${randomBytes(3).toString('hex')}`,
    ...overrides,
  });

  const recordsOf = (consultationId: string) => probe.on(topic).filter((r) => r.key === consultationId);
  const eventOf = async (consultationId: string) => {
    const [record] = await eventually(async () => (recordsOf(consultationId).length ? recordsOf(consultationId) : undefined), { what: `ConsultationRecorded ${consultationId}` });
    return { record, event: JSON.parse(record.value ?? 'null') };
  };
  const written = async () => {
    const { rows } = await db.query(`SELECT (SELECT count(*)::int FROM consultations) AS consultations, (SELECT count(*)::int FROM outbox) AS outbox`);
    return rows[0] as { consultations: number; outbox: number };
  };
  const bytesOf = (record: ProbedRecord) => [record.key ?? '', record.value ?? '', ...Object.entries(record.headers).flat()].join('\n');

  it('records a consultation with a BSN under a time-ordered id: the event matches the fixture, carries neither the BSN nor the patient reference, and the BSN decrypts only with declarations\' key', async () => {
    const locationId = await centralLocation();
    const sessionId = await session(locationId, { startsAt: new Date(Date.now() - HOUR) });
    await shift(sessionId, GP_A);

    const before = Date.now();
    const response = await gpA
      .post(`/v1/sessions/${sessionId}/consultations`, consultation({ bsnKnown: true, bsn: BSN, thirdCountryNational: false, patientReference: REFERENCE, durationClass: 'long', performanceCode: '13003' }))
      .expect(201);
    const consultationId: string = response.body.consultationId;
    expect(response.body).toEqual({ consultationId: expect.any(String) });
    // A UUIDv7 of the moment it was recorded (decision 0040).
    expect(consultationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const recordedAt = parseInt(consultationId.replace(/-/g, '').slice(0, 12), 16);
    expect(recordedAt).toBeGreaterThanOrEqual(before);
    expect(recordedAt).toBeLessThanOrEqual(Date.now());

    const { record, event } = await eventOf(consultationId);
    expect(event.type).toBe(ConsultationRecorded.v1.type);
    expect(event.subject).toBe(consultationId);
    expect(shapeOf(event)).toEqual(shapeOf(loadContractFixture(ConsultationRecorded.v1)));
    expect(event.data).toEqual({
      consultationId,
      sessionId,
      centralLocationId: locationId,
      gpAgb: GP_A,
      practiceAgb: '02000001',
      dateOfCare: amsterdamDateOf(new Date(Date.now() - HOUR)),
      performanceCode: '13003',
      durationClass: 'long',
      payerStatus: { bsnKnown: true, thirdCountryNational: false },
      patientPseudonym: createHmac('sha256', PSEUDONYM_KEY).update(REFERENCE).digest('hex'),
      walkIn: false,
      encryptedBsn: { keyId: KEY_ID, alg: 'RSA-OAEP-256+A256GCM', encryptedKey: expect.any(String), iv: expect.any(String), ciphertext: expect.any(String), tag: expect.any(String) },
    });

    // Neither identifier is anywhere in the record's bytes: key, value, headers; not even base64-encoded.
    const bytes = bytesOf(record);
    for (const secret of [BSN, REFERENCE, Buffer.from(BSN).toString('base64'), Buffer.from(REFERENCE).toString('base64')]) {
      expect(bytes).not.toContain(secret);
    }
    expect(decryptWith(declarations.privateKey, event.data.encryptedBsn)).toBe(BSN);
    expect(() => decryptWith(someoneElse.privateKey, event.data.encryptedBsn)).toThrow(DecryptionError);

    // Nor in the database (the consultation row and the outbox), nor in the logs.
    const { rows } = await db.query(`SELECT c::text AS row FROM consultations c WHERE id = $1 UNION ALL SELECT o::text FROM outbox o WHERE event_id = $2`, [consultationId, event.id]);
    expect(rows).toHaveLength(2);
    for (const { row } of rows) {
      expect(row).not.toContain(BSN);
      expect(row).not.toContain(REFERENCE);
    }
    const [stored] = (await db.query(`SELECT encrypted_bsn, patient_pseudonym, practice_agb, to_char(date_of_care, 'YYYY-MM-DD') AS date_of_care, recorded_by FROM consultations WHERE id = $1`, [consultationId])).rows;
    expect(stored).toMatchObject({ patient_pseudonym: event.data.patientPseudonym, practice_agb: '02000001', date_of_care: event.data.dateOfCare, recorded_by: 'gp-a' });
    expect(decryptWith(declarations.privateKey, stored.encrypted_bsn)).toBe(BSN);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(BSN) || line.includes(REFERENCE))).toEqual([]);
  });

  it('gives the same patient reference the same pseudonym (also in another session and by another GP), another reference another, and no encryptedBsn without a BSN', async () => {
    const first = await rosteredSession({ gps: [GP_A, GP_B] });
    const second = await rosteredSession({ gps: [GP_B] });
    const a = (await gpA.post(`/v1/sessions/${first}/consultations`, consultation({ patientReference: 'WB-SAME-1' })).expect(201)).body.consultationId;
    const b = (await gpB.post(`/v1/sessions/${second}/consultations`, consultation({ patientReference: ' WB-SAME-1 ' })).expect(201)).body.consultationId;
    const c = (await gpB.post(`/v1/sessions/${first}/consultations`, consultation({ patientReference: 'WB-OTHER-2' })).expect(201)).body.consultationId;
    const [ea, eb, ec] = await Promise.all([eventOf(a), eventOf(b), eventOf(c)]).then((all) => all.map((x) => x.event));
    expect(eb.data.patientPseudonym).toBe(ea.data.patientPseudonym);
    expect(ec.data.patientPseudonym).not.toBe(ea.data.patientPseudonym);
    expect(ea.data.patientPseudonym).toBe(createHmac('sha256', PSEUDONYM_KEY).update('WB-SAME-1').digest('hex'));
    expect(eb.data).toMatchObject({ gpAgb: GP_B, practiceAgb: '02000002', payerStatus: { bsnKnown: false, thirdCountryNational: true } });
    for (const e of [ea, eb, ec]) expect(e.data).not.toHaveProperty('encryptedBsn');
  });

  it('refuses, with a clear 4xx and nothing written: unknown, cancelled and future sessions; GPs not on the session; another GP; the coordination for a GP without a shift', async () => {
    const locationId = await centralLocation();
    const running = await rosteredSession({ locationId, gps: [GP_A, GP_B] });
    const cancelled = await session(locationId, { status: 'cancelled' });
    await shift(cancelled, GP_A);
    const future = await session(locationId, { startsAt: new Date(Date.now() + 2 * HOUR) });
    await shift(future, GP_A);
    const draftOnly = await session(locationId);
    await shift(draftOnly, GP_C, 'draft');
    const releasedOnly = await session(locationId);
    await shift(releasedOnly, GP_C, 'released');
    const before = await written();

    const unknown = await gpA.post(`/v1/sessions/${randomUUID()}/consultations`, consultation()).expect(404);
    expect(unknown.body.error).toBe('unknown_session');
    await gpA.post('/v1/sessions/not-a-uuid/consultations', consultation()).expect(400);
    expect((await gpA.post(`/v1/sessions/${cancelled}/consultations`, consultation()).expect(409)).body.error).toBe('session_cancelled');
    const notStarted = await gpA.post(`/v1/sessions/${future}/consultations`, consultation()).expect(409);
    expect(notStarted.body).toMatchObject({ error: 'session_not_started', startsAt: expect.any(String) });

    expect((await gpC.post(`/v1/sessions/${running}/consultations`, consultation()).expect(403)).body.error).toBe('not_rostered');
    await gpC.post(`/v1/sessions/${draftOnly}/consultations`, consultation()).expect(403);
    await gpC.post(`/v1/sessions/${releasedOnly}/consultations`, consultation()).expect(403);
    await gpA.post(`/v1/sessions/${running}/consultations`, consultation({ gpAgb: GP_B })).expect(403);
    await as(KEYS.gpWithoutAgb).post(`/v1/sessions/${running}/consultations`, consultation()).expect(403);
    await as(TEST_KEYS.finance).post(`/v1/sessions/${running}/consultations`, consultation({ gpAgb: GP_A })).expect(403);

    const noGp = await coordination.post(`/v1/sessions/${running}/consultations`, consultation()).expect(400);
    expect(noGp.body).toEqual({ error: 'validation_failed', fields: [{ field: 'gpAgb', messages: [expect.stringContaining('required')] }] });
    const gpNotOnSession = await coordination.post(`/v1/sessions/${running}/consultations`, consultation({ gpAgb: GP_C })).expect(409);
    expect(gpNotOnSession.body.error).toBe('gp_not_rostered');
    await coordination.post(`/v1/sessions/${running}/consultations`, consultation({ gpAgb: '09999999' })).expect(409);
    expect(await written()).toEqual(before);

    // The coordination may record for a GP who holds a shift there; a GP may name themselves.
    const byCoordination = (await coordination.post(`/v1/sessions/${running}/consultations`, consultation({ gpAgb: GP_B })).expect(201)).body.consultationId;
    expect((await eventOf(byCoordination)).event.data).toMatchObject({ gpAgb: GP_B, practiceAgb: '02000002' });
    await gpA.post(`/v1/sessions/${running}/consultations`, consultation({ gpAgb: GP_A })).expect(201);
    const [{ recorded_by }] = (await db.query('SELECT recorded_by FROM consultations WHERE id = $1', [byCoordination])).rows;
    expect(recorded_by).toBe('coordination-test');
  });

  it('refuses an invalid BSN or one that contradicts bsnKnown, and other invalid fields, with field errors that never repeat the BSN', async () => {
    const sessionId = await rosteredSession();
    const before = await written();
    const refused = async (body: object) => (await gpA.post(`/v1/sessions/${sessionId}/consultations`, body).expect(400)).body;

    expect(await refused(consultation({ bsnKnown: true }))).toEqual({ error: 'validation_failed', fields: [{ field: 'bsn', messages: ['bsn is required when bsnKnown is true'] }] });
    expect(await refused(consultation({ bsnKnown: false, bsn: BSN }))).toEqual({
      error: 'validation_failed',
      fields: [{ field: 'bsn', messages: ['bsn must be left out when bsnKnown is false'] }],
    });
    const failsElfproef = await refused(consultation({ bsnKnown: true, bsn: '123456789' }));
    expect(failsElfproef.fields).toEqual([{ field: 'bsn', messages: [expect.stringContaining('11-check')] }]);
    expect(JSON.stringify(failsElfproef)).not.toContain('123456789');
    expect((await refused(consultation({ bsnKnown: true, bsn: '12345678' }))).fields).toEqual([{ field: 'bsn', messages: ['bsn must be 9 digits'] }]);
    expect((await refused(consultation({ bsnKnown: true, bsn: 123456782 }))).fields[0].field).toBe('bsn');

    expect((await refused(consultation({ performanceCode: '1200' }))).fields[0].field).toBe('performanceCode');
    expect((await refused(consultation({ durationClass: 'medium' }))).fields[0].field).toBe('durationClass');
    expect((await refused(consultation({ bsnKnown: 'yes' }))).fields[0].field).toBe('bsnKnown');
    expect((await refused(consultation({ thirdCountryNational: undefined }))).fields[0].field).toBe('thirdCountryNational');
    expect((await refused(consultation({ patientReference: '' }))).fields[0].field).toBe('patientReference');
    expect((await refused(consultation({ patientReference: '   ' }))).fields[0].field).toBe('patientReference');
    expect((await refused(consultation({ patientReference: 'x'.repeat(101) }))).fields[0].field).toBe('patientReference');
    expect((await refused(consultation({ walkIn: 'true' }))).fields[0].field).toBe('walkIn');
    expect((await refused(consultation({ gpAgb: '123' }))).fields[0].field).toBe('gpAgb');
    expect((await refused(consultation({ patientName: 'Zoë' }))).fields[0].field).toBe('patientName');
    expect(await written()).toEqual(before);
    expect(logLines.filter((line) => line.includes('123456789') || line.includes('Zoë'))).toEqual([]);
  });

  it('keeps booked consultations within the capacity (409 session_full, also under concurrent requests) and counts walk-ins beyond it', async () => {
    const sessionId = await rosteredSession({ capacity: 2, gps: [GP_A, GP_B] });
    await gpA.post(`/v1/sessions/${sessionId}/consultations`, consultation()).expect(201);
    await gpB.post(`/v1/sessions/${sessionId}/consultations`, consultation({ walkIn: false })).expect(201);
    const full = await gpA.post(`/v1/sessions/${sessionId}/consultations`, consultation()).expect(409);
    expect(full.body).toMatchObject({ error: 'session_full', capacity: 2, booked: 2 });
    const walkIn = (await gpA.post(`/v1/sessions/${sessionId}/consultations`, consultation({ walkIn: true })).expect(201)).body.consultationId;
    await gpB.post(`/v1/sessions/${sessionId}/consultations`, consultation({ walkIn: true })).expect(201);
    expect((await eventOf(walkIn)).event.data.walkIn).toBe(true);
    const { rows } = await db.query('SELECT walk_in, count(*)::int AS n FROM consultations WHERE session_id = $1 GROUP BY walk_in ORDER BY walk_in', [sessionId]);
    expect(rows).toEqual([{ walk_in: false, n: 2 }, { walk_in: true, n: 2 }]);

    // Concurrent bookings on the last places: exactly the capacity is recorded.
    const busy = await rosteredSession({ capacity: 3, gps: [GP_A, GP_B] });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? gpA : gpB).post(`/v1/sessions/${busy}/consultations`, consultation()).then((r) => r.status)),
    );
    expect(answers.filter((s) => s === 201)).toHaveLength(3);
    expect(answers.filter((s) => s === 409)).toHaveLength(5);
    const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM consultations WHERE session_id = $1', [busy])).rows;
    expect(n).toBe(3);
  });

  it('records no-shows: a GP on the session or the coordination sets the count; others, future, cancelled and unknown sessions and counts above capacity are refused', async () => {
    const locationId = await centralLocation();
    const sessionId = await rosteredSession({ locationId, capacity: 10 });
    expect((await gpA.post(`/v1/sessions/${sessionId}/no-shows`, { count: 1 }).expect(200)).body).toEqual({ sessionId, noShows: 1 });
    expect((await coordination.post(`/v1/sessions/${sessionId}/no-shows`, { count: 3 }).expect(200)).body).toEqual({ sessionId, noShows: 3 });
    await gpC.post(`/v1/sessions/${sessionId}/no-shows`, { count: 5 }).expect(403);
    expect((await gpA.post(`/v1/sessions/${sessionId}/no-shows`, { count: 11 }).expect(400)).body.fields[0].field).toBe('count');
    await gpA.post(`/v1/sessions/${sessionId}/no-shows`, { count: -1 }).expect(400);
    await gpA.post(`/v1/sessions/${sessionId}/no-shows`, { count: 1.5 }).expect(400);
    await gpA.post(`/v1/sessions/${sessionId}/no-shows`, {}).expect(400);
    await gpA.post(`/v1/sessions/${randomUUID()}/no-shows`, { count: 1 }).expect(404);
    const future = await rosteredSession({ locationId, startsAt: new Date(Date.now() + 24 * HOUR) });
    expect((await gpA.post(`/v1/sessions/${future}/no-shows`, { count: 1 }).expect(409)).body.error).toBe('session_not_started');
    const cancelled = await session(locationId, { status: 'cancelled' });
    expect((await coordination.post(`/v1/sessions/${cancelled}/no-shows`, { count: 1 }).expect(409)).body.error).toBe('session_cancelled');
    const { rows } = await db.query('SELECT session_id, no_shows, updated_by FROM session_attendance WHERE session_id IN ($1, $2, $3)', [sessionId, future, cancelled]);
    expect(rows).toEqual([{ session_id: sessionId, no_shows: 3, updated_by: 'coordination-test' }]);
  });

  it('evaluates a location per ISO week (Monday in Amsterdam): sessions held, capacity, booked and walk-in consultations, no-shows, utilisation', async () => {
    const locationId = await centralLocation('Evaluatie');
    const at = (date: string, time = '09:00') => amsterdamToUtc(date, time);
    // 2025-W52: Sunday 28 December. 2026-W01: Monday 29 December 2025 to Sunday 4 January 2026.
    const sunday = await rosteredSession({ locationId, startsAt: at('2025-12-28'), capacity: 4 });
    const monday = await rosteredSession({ locationId, startsAt: at('2025-12-29', '23:30'), capacity: 10 });
    const nextSunday = await rosteredSession({ locationId, startsAt: at('2026-01-04'), capacity: 5 });
    const cancelled = await session(locationId, { startsAt: at('2025-12-30'), status: 'cancelled', capacity: 50 });
    await shift(cancelled, GP_A);
    await rosteredSession({ locationId, startsAt: new Date(Date.now() + 48 * HOUR), capacity: 50 }); // not yet held
    const elsewhere = await rosteredSession({ startsAt: at('2025-12-29'), capacity: 50 });

    const record = async (sessionId: string, booked: number, walkIns: number) => {
      for (let i = 0; i < booked; i++) await gpA.post(`/v1/sessions/${sessionId}/consultations`, consultation()).expect(201);
      for (let i = 0; i < walkIns; i++) await gpA.post(`/v1/sessions/${sessionId}/consultations`, consultation({ walkIn: true })).expect(201);
    };
    await record(sunday, 3, 1);
    await record(monday, 2, 0);
    await record(nextSunday, 1, 2);
    await record(elsewhere, 5, 5);
    await gpA.post(`/v1/sessions/${sunday}/no-shows`, { count: 1 }).expect(200);
    await gpA.post(`/v1/sessions/${monday}/no-shows`, { count: 3 }).expect(200);
    await gpA.post(`/v1/sessions/${elsewhere}/no-shows`, { count: 9 }).expect(200);

    const { body } = await coordination.get(`/v1/central-locations/${locationId}/weekly-evaluation`).expect(200);
    expect(body).toEqual({
      centralLocationId: locationId,
      weeks: [
        { isoWeek: '2025-W52', weekStart: '2025-12-22', sessionsHeld: 1, capacity: 4, consultations: { booked: 3, walkIn: 1, total: 4 }, noShows: 1, utilisation: 1 },
        { isoWeek: '2026-W01', weekStart: '2025-12-29', sessionsHeld: 2, capacity: 15, consultations: { booked: 3, walkIn: 2, total: 5 }, noShows: 3, utilisation: 0.33 },
      ],
    });

    await coordination.get(`/v1/central-locations/${randomUUID()}/weekly-evaluation`).expect(404);
    await coordination.get('/v1/central-locations/not-a-uuid/weekly-evaluation').expect(400);
    await gpA.get(`/v1/central-locations/${locationId}/weekly-evaluation`).expect(403);
    const empty = await coordination.get(`/v1/central-locations/${await centralLocation('Nog niets')}/weekly-evaluation`).expect(200);
    expect(empty.body.weeks).toEqual([]);
  });

  it('starts without the keys; then refuses to record without the pseudonym key (503), and a BSN without declarations\' key (503), writing nothing', async () => {
    const sessionId = await rosteredSession();
    const before = await written();
    const [withoutAnyKey, withoutDeclarationsKey] = await Promise.all([
      system.start(clinicSchedulingService, { env: {} }),
      system.start(clinicSchedulingService, { env: { PATIENT_PSEUDONYM_KEY: PSEUDONYM_KEY } }),
    ]);
    try {
      const noKeys = as(KEYS.gpA, () => withoutAnyKey.url);
      const noDeclarations = as(KEYS.gpA, () => withoutDeclarationsKey.url);
      expect((await noKeys.post(`/v1/sessions/${sessionId}/consultations`, consultation()).expect(503)).body).toMatchObject({ error: 'pseudonym_key_missing' });
      await noKeys.post(`/v1/sessions/${sessionId}/consultations`, consultation({ bsnKnown: true, bsn: BSN })).expect(503);
      const refusedBsn = await noDeclarations.post(`/v1/sessions/${sessionId}/consultations`, consultation({ bsnKnown: true, bsn: BSN })).expect(503);
      expect(refusedBsn.body).toMatchObject({ error: 'declarations_key_missing' });
      expect(await written()).toEqual(before);

      const withoutBsn = (await noDeclarations.post(`/v1/sessions/${sessionId}/consultations`, consultation({ patientReference: 'WB-NOKEY' })).expect(201)).body.consultationId;
      const { event } = await eventOf(withoutBsn);
      expect(event.data.patientPseudonym).toBe(createHmac('sha256', PSEUDONYM_KEY).update('WB-NOKEY').digest('hex'));
      expect(event.data).not.toHaveProperty('encryptedBsn');
    } finally {
      await Promise.all([withoutAnyKey.close(), withoutDeclarationsKey.close()]);
    }
  });

  it('is wired into the service and documents its request body', async () => {
    expect(clinicSchedulingService.migrations).toContain(Consultations1764000100000);
    expect(clinicSchedulingService.modules(running.config)).toContain(ConsultationsModule);
    const { body } = await request(url).get('/docs-json').expect(200);
    const schema = body.paths['/v1/sessions/{sessionId}/consultations'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['gpAgb', 'performanceCode', 'durationClass', 'bsnKnown', 'thirdCountryNational', 'patientReference', 'bsn', 'walkIn']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['performanceCode', 'durationClass', 'bsnKnown', 'thirdCountryNational', 'patientReference']));
    expect(schema.required).not.toContain('bsn');
    expect(schema.properties.durationClass.enum).toEqual(['short', 'regular', 'long', 'extended']);
    expect(body.paths['/v1/central-locations/{locationId}/weekly-evaluation']).toBeDefined();
    expect(body.paths['/v1/sessions/{sessionId}/no-shows']).toBeDefined();
  });
});
