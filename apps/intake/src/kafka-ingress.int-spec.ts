import request from 'supertest';
import { generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import { Client } from 'pg';
import { ArrivalAnnounced, ArrivalAnnouncementV1, createEnvelope, deadLetterTopicOf, RefugeeGroupArrived, Topics } from '@draaiboek/contracts';
import { DLQ_HEADERS } from '@draaiboek/messaging';
import { createTestSystem, eventually, KafkaProbe, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { intakeService } from './intake.service';
import { SIGNATURE_HEADERS } from './modules/arrivals/domain/signed-record';

jest.setTimeout(120_000);

const emmenKeys = generateKeyPairSync('ed25519');
const assenKeys = generateKeyPairSync('ed25519');
const signingKeys = JSON.stringify([
  { keyId: 'gm0114-test', municipalityCode: 'GM0114', publicKey: emmenKeys.publicKey.export({ type: 'spki', format: 'pem' }) },
  { keyId: 'gm0106-test', municipalityCode: 'GM0106', publicKey: assenKeys.publicKey.export({ type: 'spki', format: 'pem' }) },
]);

function announcement(reference: string, overrides: Partial<ArrivalAnnouncementV1> = {}): ArrivalAnnouncementV1 {
  return {
    reference,
    municipalityCode: 'GM0114',
    location: { name: 'AZC Emmen', postcode: '7811 AA', kind: 'reception-centre' },
    headcount: 25,
    arrivalDate: '2026-11-25',
    ...overrides,
  };
}

function record(data: ArrivalAnnouncementV1, signer?: { keyId: string; privateKey: KeyObject }) {
  const envelope = createEnvelope({
    type: ArrivalAnnounced.v1.type,
    source: `/gemeente/${data.municipalityCode}`,
    subject: ArrivalAnnounced.v1.subjectOf(data),
    data,
  });
  const value = Buffer.from(JSON.stringify(envelope));
  const headers: Record<string, string> = {};
  if (signer) {
    headers[SIGNATURE_HEADERS.keyId] = signer.keyId;
    headers[SIGNATURE_HEADERS.signature] = sign(null, value, signer.privateKey).toString('base64');
  }
  return { key: envelope.subject, value: value.toString('utf8'), headers };
}

const emmen = { keyId: 'gm0114-test', privateKey: emmenKeys.privateKey };
const assen = { keyId: 'gm0106-test', privateKey: assenKeys.privateKey };

describe('municipal.arrivals.v1: the Kafka door, same contract as POST /v1/arrivals', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let url: string;
  let arrivalsTopic: string;

  beforeAll(async () => {
    system = await createTestSystem();
    url = (await system.start(intakeService, { env: { MUNICIPAL_SIGNING_KEYS: signingKeys } })).url;
    arrivalsTopic = system.topic(Topics.municipalArrivals.name);
    probe = new KafkaProbe();
    await probe.watch([system.topic(Topics.refugeeGroups.name), deadLetterTopicOf(arrivalsTopic)]);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  const groupOf = async (reference: string, municipalityCode = 'GM0114') =>
    (await db.query('SELECT id, headcount, announced_by FROM intake.refugee_groups WHERE municipality_code = $1 AND reference = $2', [municipalityCode, reference])).rows;
  const arrivedEventsFor = (groupId: string) =>
    probe.on(system.topic(Topics.refugeeGroups.name)).filter((r) => r.key === groupId && JSON.parse(r.value!).type === RefugeeGroupArrived.v1.type);
  const deadLetters = () => probe.on(deadLetterTopicOf(arrivalsTopic));

  it('a signed announcement creates the group and publishes RefugeeGroupArrived', async () => {
    await probe.produce(arrivalsTopic, [record(announcement('KAFKA-1', { headcount: 31 }), emmen)]);
    const [group] = await eventually(async () => ((await groupOf('KAFKA-1')).length ? groupOf('KAFKA-1') : undefined), { what: 'the group' });
    expect(group).toMatchObject({ headcount: 31, announced_by: 'kafka:gm0114-test' });
    await eventually(async () => arrivedEventsFor(group.id).length === 1, { what: 'RefugeeGroupArrived' });
  });

  it('refuses unsigned records, records signed by another municipality, and invalid ones, with the reason; the next record still goes through', async () => {
    const before = deadLetters().length;
    await probe.produce(arrivalsTopic, [
      record(announcement('KAFKA-UNSIGNED')),
      record(announcement('KAFKA-WRONG-KEY'), assen),
      record(announcement('KAFKA-INVALID', { headcount: 0 }), emmen),
      record(announcement('KAFKA-UNKNOWN-MUNICIPALITY', { municipalityCode: 'GM9999' }), emmen),
      record(announcement('KAFKA-AFTER'), emmen),
    ]);
    await eventually(async () => (await groupOf('KAFKA-AFTER')).length === 1, { what: 'the valid record after the refused ones' });
    const dead = await eventually(async () => (deadLetters().length - before >= 4 ? deadLetters().slice(before) : undefined), { what: 'four dead letters' });
    const reasonBySubject = Object.fromEntries(dead.map((d) => [d.key, d.headers[DLQ_HEADERS.reason]]));
    expect(reasonBySubject).toEqual({
      'GM0114/KAFKA-UNSIGNED': 'unauthenticated',
      'GM0114/KAFKA-WRONG-KEY': 'forbidden-municipality',
      'GM0114/KAFKA-INVALID': 'invalid-data',
      'GM9999/KAFKA-UNKNOWN-MUNICIPALITY': 'forbidden-municipality',
    });
    for (const reference of ['KAFKA-UNSIGNED', 'KAFKA-WRONG-KEY', 'KAFKA-INVALID']) expect(await groupOf(reference)).toEqual([]);
    for (const d of dead) expect(d.headers[DLQ_HEADERS.originalTopic]).toBe(arrivalsTopic);
  });

  it('the same reference with other values over Kafka is dead-lettered as a reference conflict, naming the differences', async () => {
    await request(url).post('/v1/arrivals').set('Authorization', `Bearer ${TEST_KEYS.emmen}`).send(announcement('KAFKA-CONFLICT')).expect(202);
    const before = deadLetters().length;
    await probe.produce(arrivalsTopic, [record(announcement('KAFKA-CONFLICT', { headcount: 26 }), emmen)]);
    const [dead] = await eventually(async () => (deadLetters().length > before ? deadLetters().slice(before) : undefined));
    expect(dead.headers[DLQ_HEADERS.reason]).toBe('reference-conflict');
    expect(dead.headers[DLQ_HEADERS.errorDetail]).toContain('"field":"headcount"');
  });

  it('a duplicate arriving over HTTP and Kafka at the same moment yields one group and one event', async () => {
    const references = Array.from({ length: 12 }, (_, i) => `SIMUL-${i}-${randomUUID().slice(0, 6)}`);
    const httpAnswers = await Promise.all(
      references.map(async (reference) => {
        const body = announcement(reference);
        const [http] = await Promise.all([
          request(url).post('/v1/arrivals').set('Authorization', `Bearer ${TEST_KEYS.emmen}`).send(body),
          probe.produce(arrivalsTopic, [record(body, emmen)]),
        ]);
        expect(http.status).toBe(202);
        return { reference, groupId: http.body.groupId as string };
      }),
    );
    // Each reference: one group, whose id HTTP answered, and exactly one RefugeeGroupArrived.
    await eventually(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM intake.inbox WHERE topic = $1`, [arrivalsTopic]);
      return rows[0].n >= 1 + 1 + references.length; // earlier tests' accepted records, plus these
    }, { what: 'the Kafka copies to be consumed' });
    for (const { reference, groupId } of httpAnswers) {
      const groups = await groupOf(reference);
      expect(groups.map((g) => g.id)).toEqual([groupId]);
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const { groupId } of httpAnswers) expect(arrivedEventsFor(groupId)).toHaveLength(1);
  });
});
