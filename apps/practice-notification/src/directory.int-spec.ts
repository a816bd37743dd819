import request from 'supertest';
import { PracticeRegistered, shapeOf, Topics } from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, loadContractFixture, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { practiceNotificationService } from './practice-notification.service';
import { GPS_CSV, KEYS, PRACTICE_API_KEYS, PRACTICES_CSV } from './test-support';

jest.setTimeout(90_000);

const SIGN_IN_KEY = 'test-key-web-sign-in';

describe('practice directory: CSV import with a report per row, all or nothing, and export', () => {
  let system: TestSystem;
  let url: string;

  beforeAll(async () => {
    system = await createTestSystem({ apiKeys: [...PRACTICE_API_KEYS, { id: 'web-sign-in', key: SIGN_IN_KEY, roles: ['sign-in'] }] });
    url = (await system.start(practiceNotificationService)).url;
  });
  afterAll(() => system.stop());

  const upload = (path: string, csv: string, key: string = TEST_KEYS.coordination) =>
    request(url).post(path).set('Authorization', `Bearer ${key}`).set('content-type', 'text/csv').send(csv);
  const practiceCount = async () =>
    (await request(url).get('/v1/directory/practices').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200)).body.length;

  it('imports practices and GPs, reporting each row', async () => {
    const practices = await upload('/v1/directory/practices', PRACTICES_CSV).expect(200);
    expect(practices.body).toMatchObject({ file: 'practices', accepted: 3, created: 3, updated: 0 });
    expect(practices.body.rows).toEqual([
      { line: 2, key: '99000001', status: 'accepted', reasons: [] },
      { line: 3, key: '99000002', status: 'accepted', reasons: [] },
      { line: 4, key: '99000003', status: 'accepted', reasons: [] },
    ]);
    const gps = await upload('/v1/directory/gps', GPS_CSV).expect(200);
    expect(gps.body).toMatchObject({ file: 'gps', accepted: 4, created: 4 });
    const { body } = await request(url).get('/v1/directory/practices?pc4=7811').set('Authorization', `Bearer ${KEYS.practiceC}`).expect(200);
    expect(body.map((p: { agb: string }) => p.agb)).toEqual(['99000001', '99000002']);
    expect(body.find((p: { agb: string }) => p.agb === '99000001')).toMatchObject({ hagro: 'EMMEN-ZUID', catchment: ['7811', '7812'], gpCount: 2, gpFte: 1.6 });
  });

  it('tells the web app at sign-in who owns an e-mail address, and tells nobody else', async () => {
    const lookup = (email: string, key = SIGN_IN_KEY) => request(url).post('/v1/people/lookup').set('Authorization', `Bearer ${key}`).send({ email });
    expect((await lookup('A@example.org').expect(200)).body.identities).toEqual([
      { id: 'practice-99000001', roles: ['practice'], name: 'Contact A', practiceAgb: '99000001' },
    ]);
    expect((await lookup('a2@example.org').expect(200)).body.identities).toEqual([
      { id: 'gp-88000012', roles: ['gp'], name: 'Huisarts A2', gpAgb: '88000012', practiceAgb: '99000001' },
    ]);
    // The hagro coordinators come from the region file.
    expect((await lookup('coordinator-emmen-zuid@example.org').expect(200)).body.identities).toEqual([
      expect.objectContaining({ roles: ['practice'], hagroCode: 'EMMEN-ZUID' }),
    ]);
    expect((await lookup('nobody@example.org').expect(200)).body.identities).toEqual([]);
    expect((await lookup('not an address').expect(400)).body.fields).toEqual([expect.objectContaining({ field: 'email' })]);
    await lookup('a@example.org', KEYS.practiceA).expect(403);
    await lookup('a@example.org', TEST_KEYS.coordination).expect(403);
  });

  it('tells rostering each practice with its GPs by AGB code and FTE, and no name or address on Kafka', async () => {
    const probe = new KafkaProbe();
    await probe.watch([system.topic(Topics.practiceDirectory.name)]);
    try {
      const records = await eventually(async () => {
        const found = probe.on(system.topic(Topics.practiceDirectory.name)).filter((r) => r.key === '99000001');
        return found.length >= 2 ? found : undefined; // once for the practices file, once for the GPs file
      }, { what: 'PracticeRegistered for practice A' });
      const latest = JSON.parse(records[records.length - 1].value!);
      expect(latest.type).toBe(PracticeRegistered.v1.type);
      expect(latest.data).toEqual({
        practiceAgb: '99000001',
        hagroCode: 'EMMEN-ZUID',
        latitude: 52.78,
        longitude: 6.89,
        gps: [{ gpAgb: '88000011', fte: 1 }, { gpAgb: '88000012', fte: 0.6 }],
      });
      expect(shapeOf(latest)).toEqual(shapeOf(loadContractFixture(PracticeRegistered.v1)));
      for (const record of records) {
        expect(record.value).not.toMatch(/Huisarts A1|a1@example\.org|Contact A|Hoofdstraat/);
      }
    } finally {
      await probe.close();
    }
  });

  it('rejects a whole file when one row is broken, saying why for each row, and changes nothing', async () => {
    const before = await practiceCount();
    const broken = [
      PRACTICES_CSV.split('\n')[0],
      '99000004,Praktijk D (test),Hoofdstraat 4,7811 EF,Emmen,52.78,6.89,EMMEN-ZUID,WAGRO-EMMEN,7811,Contact D,d@example.org',
      '9900005,Praktijk E (test),Hoofdstraat 5,7811 EF,Emmen,52.78,6.89,EMMEN-ZUID,WAGRO-EMMEN,7811,Contact E,e@example.org',
      '99000006,Praktijk F (test),Hoofdstraat 6,1012 AB,Amsterdam,52.37,4.89,NOWHERE,WAGRO-EMMEN,1012,Contact F,not-an-email',
    ].join('\n');
    const response = await upload('/v1/directory/practices', broken).expect(422);
    expect(response.body.message).toBe('Nothing was imported: 2 of 3 rows were rejected');
    const [d, e, f] = response.body.rows;
    expect(d).toEqual({ line: 2, key: '99000004', status: 'accepted', reasons: [] });
    expect(e).toMatchObject({ line: 3, status: 'rejected', reasons: ['agb must be 8 digits'] });
    expect(f.status).toBe('rejected');
    expect(f.reasons).toEqual(
      expect.arrayContaining([
        'hagro NOWHERE is not a hagro of region Drenthe',
        'catchment has PC4 areas outside region Drenthe: 1012',
        'contact_email must be an e-mail address',
      ]),
    );
    expect(await practiceCount()).toBe(before);
  });

  it('rejects GPs of practices that are not in the directory, and files that are not the expected CSV', async () => {
    const response = await upload('/v1/directory/gps', 'agb,practice_agb,name,email,fte\n88000099,12345678,Huisarts X,x@example.org,1.0').expect(422);
    expect(response.body.rows[0].reasons).toEqual(['practice_agb 12345678 is not a practice in the directory']);
    const wrongColumns = await upload('/v1/directory/gps', 'agb;name\n1;2').expect(422);
    expect(wrongColumns.body.message).toContain('missing columns');
    await request(url).post('/v1/directory/practices').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).send({ not: 'csv' }).expect(400);
    await upload('/v1/directory/practices', PRACTICES_CSV, KEYS.practiceA).expect(403);
  });

  it('exports the directory in the import format, so a round trip changes nothing', async () => {
    const exported = await request(url).get('/v1/directory/practices.csv').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200);
    expect(exported.headers['content-type']).toContain('text/csv');
    expect(exported.text.split('\n')[0]).toBe('agb,name,street,postcode,city,latitude,longitude,hagro,wagro,catchment,contact_name,contact_email');
    expect(exported.text).toContain('99000001,Praktijk A (test),Hoofdstraat 1,7811 AB,Emmen,52.78000,6.89000,EMMEN-ZUID,WAGRO-EMMEN,7811 7812,Contact A,a@example.org');
    const again = await upload('/v1/directory/practices', exported.text).expect(200);
    expect(again.body).toMatchObject({ accepted: 3, created: 0, updated: 3 });
    const gps = await request(url).get('/v1/directory/gps.csv').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200);
    expect(gps.text).toContain('88000012,99000001,Huisarts A2,a2@example.org,0.60');
  });

  it('accepts the demo region shipped as seed data: about 100 practices in about 15 hagros', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const seed = (file: string) => readFileSync(join(__dirname, '..', 'seed', file), 'utf8');
    const practices = await upload('/v1/directory/practices', seed('drenthe-practices.csv')).expect(200);
    expect(practices.body.accepted).toBe(100);
    const gps = await upload('/v1/directory/gps', seed('drenthe-gps.csv')).expect(200);
    expect(gps.body.accepted).toBeGreaterThan(200);
    const { body } = await request(url).get('/v1/directory/practices').set('Authorization', `Bearer ${TEST_KEYS.coordination}`).expect(200);
    expect(new Set(body.map((p: { hagro: string }) => p.hagro)).size).toBe(15);
  });
});
