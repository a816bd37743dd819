import request from 'supertest';
import { amsterdamToUtc } from '@draaiboek/platform';
import { Client } from 'pg';
import { RefugeeGroupArrived, SessionScheduled, shapeOf, Topics } from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, loadContractFixture, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { clinicSchedulingService, declarationsService, intakeService, practiceNotificationService } from './all-services';

jest.setTimeout(120_000);

const arrival = {
  reference: 'EMM-2026-0042',
  municipalityCode: 'GM0114',
  location: { name: 'AZC Emmen', postcode: '7811 AA', kind: 'reception-centre' },
  headcount: 140,
  arrivalDate: '2026-11-20',
  composition: { children: 50, adults: 80, over65: 10, pregnant: 3, chronicCareNeeds: 12 },
  withBsnCount: 90,
};

describe('walking skeleton: an arrival travels through all four services on real Kafka and Postgres', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let intakeUrl: string;
  let clinicUrl: string;

  beforeAll(async () => {
    system = await createTestSystem();
    const intake = await system.start(intakeService);
    await system.start(practiceNotificationService);
    const clinic = await system.start(clinicSchedulingService);
    await system.start(declarationsService);
    intakeUrl = intake.url;
    clinicUrl = clinic.url;
    probe = new KafkaProbe();
    await probe.watch([system.topic(Topics.refugeeGroups.name), system.topic(Topics.clinicSessions.name)]);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  it('stores the arrival with its outbox row, publishes RefugeeGroupArrived, and each consumer records it once', async () => {
    const response = await request(intakeUrl)
      .post('/v1/arrivals')
      .set('Authorization', `Bearer ${TEST_KEYS.emmen}`)
      .set('x-correlation-id', 'skeleton-correlation-1')
      .send(arrival)
      .expect(202);
    const groupId: string = response.body.groupId;
    expect(response.body.created).toBe(true);

    // The group and its outbox row were written together.
    const { rows: groups } = await db.query('SELECT id, headcount FROM intake.refugee_groups WHERE id = $1', [groupId]);
    expect(groups).toEqual([{ id: groupId, headcount: 140 }]);
    const outbox = await eventually(async () => {
      const { rows } = await db.query(
        `SELECT event_id, event_type, message_key, published_at FROM intake.outbox WHERE message_key = $1`,
        [groupId],
      );
      return rows.length === 1 && rows[0].published_at ? rows[0] : undefined;
    }, { what: 'the outbox row to be published' });
    expect(outbox.event_type).toBe(RefugeeGroupArrived.v1.type);

    // On Kafka: a CloudEvents envelope keyed by the group id, carrying the correlation id of the request.
    const record = await eventually(async () => probe.on(system.topic(Topics.refugeeGroups.name)).find((r) => r.key === groupId), {
      what: 'RefugeeGroupArrived on Kafka',
    });
    const envelope = JSON.parse(record.value!);
    expect(record.headers['content-type']).toContain('application/cloudevents+json');
    expect(envelope).toMatchObject({
      specversion: '1.0',
      id: outbox.event_id,
      type: RefugeeGroupArrived.v1.type,
      source: '/draaiboek/intake',
      subject: groupId,
      correlationid: 'skeleton-correlation-1',
      data: { groupId, headcount: 140, municipalityCode: 'GM0114', location: { pc4: '7811', postcode: '7811 AA' } },
    });
    // Producer side of the contract test: what intake publishes has the committed fixture's shape.
    expect(shapeOf(envelope)).toEqual(shapeOf(loadContractFixture(RefugeeGroupArrived.v1)));

    // practice-notification and clinic-scheduling each record it exactly once.
    await eventually(async () => {
      const { rows } = await db.query('SELECT central_location_advised FROM practice_notification.arrived_groups WHERE group_id = $1', [groupId]);
      return rows.length === 1 ? rows : undefined;
    }, { what: 'practice-notification to record the group' });
    await eventually(async () => {
      const { rows } = await db.query('SELECT 1 FROM clinic_scheduling.known_groups WHERE group_id = $1', [groupId]);
      return rows.length === 1;
    }, { what: 'clinic-scheduling to record the group' });
    const { rows: advised } = await db.query('SELECT central_location_advised FROM practice_notification.arrived_groups WHERE group_id = $1', [groupId]);
    expect(advised).toEqual([{ central_location_advised: true }]); // 140 > 100: rule 2
    for (const schema of ['practice_notification', 'clinic_scheduling']) {
      const { rows } = await db.query(`SELECT consumer_group FROM ${schema}.inbox WHERE event_id = $1`, [outbox.event_id]);
      expect(rows).toEqual([{ consumer_group: system.topicPrefix + schema.replace('_', '-') }]);
    }

    // The same announcement again: same group id, nothing new published.
    const again = await request(intakeUrl).post('/v1/arrivals').set('Authorization', `Bearer ${TEST_KEYS.emmen}`).send(arrival).expect(202);
    expect(again.body).toEqual({ groupId, created: false });
    const { rows: outboxCount } = await db.query('SELECT count(*)::int AS n FROM intake.outbox');
    expect(outboxCount[0].n).toBe(1);
  });

  it('a session scheduled at a central location reaches declarations as SessionScheduled', async () => {
    const { rows: known } = await eventually(async () => {
      const result = await db.query('SELECT location_id FROM clinic_scheduling.known_groups LIMIT 1');
      return result.rows.length ? result : undefined;
    });
    const location = await request(clinicUrl)
      .post('/v1/central-locations')
      .set('Authorization', `Bearer ${TEST_KEYS.coordination}`)
      .send({ name: 'Spreekuur AZC Emmen', postcode: '7811 AA', receptionLocationId: known[0].location_id })
      .expect(201);
    // Rule 9: without a complete checklist the coordination must override, with a reason.
    await request(clinicUrl)
      .post(`/v1/central-locations/${location.body.id}/override`)
      .set('Authorization', `Bearer ${TEST_KEYS.coordination}`)
      .send({ reason: 'Walking skeleton: the workplace is arranged by phone' })
      .expect(200);
    const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const session = await request(clinicUrl)
      .post(`/v1/central-locations/${location.body.id}/sessions`)
      .set('Authorization', `Bearer ${TEST_KEYS.coordination}`)
      .send({ date, startTime: '09:00', endTime: '11:00', capacity: 16 })
      .expect(201);
    expect(session.body.gpSlots).toBe(2); // 16 consultations, 2 hours, 4 per GP-hour

    const record = await eventually(async () => probe.on(system.topic(Topics.clinicSessions.name)).find((r) => r.key === session.body.id), {
      what: 'SessionScheduled on Kafka',
    });
    const envelope = JSON.parse(record.value!);
    expect(envelope.type).toBe(SessionScheduled.v1.type);
    expect(shapeOf(envelope)).toEqual(shapeOf(loadContractFixture(SessionScheduled.v1)));
    // 09:00 and 11:00 in Amsterdam, stored and sent as UTC instants.
    const startsAt = amsterdamToUtc(date, '09:00').toISOString();
    expect(envelope.data).toMatchObject({ localDate: date, startsAt, endsAt: amsterdamToUtc(date, '11:00').toISOString() });

    const stored = await eventually(async () => {
      const { rows } = await db.query('SELECT session_id, starts_at FROM declarations.declarable_sessions WHERE session_id = $1', [session.body.id]);
      return rows[0];
    }, { what: 'declarations to record the session' });
    expect(new Date(stored.starts_at).toISOString()).toBe(startsAt);
    const { rows: inbox } = await db.query('SELECT count(*)::int AS n FROM declarations.inbox');
    expect(inbox[0].n).toBe(1);
  });
});
