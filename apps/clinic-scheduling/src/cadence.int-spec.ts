import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { SessionCancelled, ShiftReleased, Topics } from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { clinicSchedulingService } from './clinic-scheduling.service';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);
function mondayOf(t: number): string {
  const d = new Date(t);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return isoDate(d.getTime());
}

describe('rule 8: cadence evaluation, recommendation and approval on real Kafka and Postgres', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let url: string;
  let locationId: string;
  const thisMonday = mondayOf(Date.now());
  const upcomingMonday = isoDate(Date.parse(`${thisMonday}T12:00:00Z`) + 14 * DAY);

  beforeAll(async () => {
    system = await createTestSystem();
    url = (await system.start(clinicSchedulingService)).url;
    probe = new KafkaProbe();
    await probe.watch([system.topic(Topics.clinicSessions.name), system.topic(Topics.clinicShifts.name)]);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    const post = (path: string, body: object) => request(url).post(path).set('Authorization', `Bearer ${TEST_KEYS.coordination}`).send(body);
    locationId = (await post('/v1/central-locations', { name: 'Spreekuur Opvang Noord', postcode: '7822 AB', latitude: 52.8, longitude: 6.9 }).expect(201)).body.id;
    await post(`/v1/central-locations/${locationId}/override`, { reason: 'Checklist handled on paper for this test' }).expect(200);
    // Two weeks held in the past, at 20 % of capacity: 2 consultations per session of 10.
    await db.query(`INSERT INTO clinic_scheduling.practices (agb, hagro_code, latitude, longitude) VALUES ('99200001', 'H', 52.8, 6.9)`);
    for (const gp of ['82000001', '82000002']) await db.query(`INSERT INTO clinic_scheduling.gps (agb, practice_agb, fte) VALUES ($1, '99200001', 1)`, [gp]);
    for (let week = 2; week >= 1; week--) {
      for (let day = 0; day < 5; day++) {
        const date = isoDate(Date.parse(`${thisMonday}T12:00:00Z`) - week * 7 * DAY + day * DAY);
        const session = randomUUID();
        await db.query(
          `INSERT INTO clinic_scheduling.sessions (id, central_location_id, local_date, starts_at, ends_at, capacity, gp_slots, status)
           VALUES ($1, $2, $3, $4, $5, 10, 1, 'scheduled')`,
          [session, locationId, date, `${date}T08:00:00Z`, `${date}T10:00:00Z`],
        );
        for (let c = 0; c < 2; c++) {
          await db.query(
            `INSERT INTO clinic_scheduling.consultations (id, session_id, gp_agb, practice_agb, date_of_care, performance_code, duration_class, bsn_known, third_country_national, patient_pseudonym, walk_in, recorded_by)
             VALUES ($1, $2, '82000001', '99200001', $3, '12000', 'regular', false, false, $4, false, 'test')`,
            [randomUUID(), session, date, 'a'.repeat(63) + String(c)],
          );
        }
      }
    }
    await request(url)
      .put(`/v1/central-locations/${locationId}/cadence`)
      .set('Authorization', `Bearer ${TEST_KEYS.coordination}`)
      .send({ weekdays: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '11:00', from: upcomingMonday, weeks: 1, capacity: 4 })
      .expect(200);
    await post('/v1/roster/plan', { from: upcomingMonday, to: isoDate(Date.parse(`${upcomingMonday}T12:00:00Z`) + 7 * DAY) }).expect(200);
    const { body } = await post('/v1/roster/publish', { from: upcomingMonday, to: isoDate(Date.parse(`${upcomingMonday}T12:00:00Z`) + 7 * DAY) }).expect(200);
    expect(body.published).toBe(5);
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  const post = (path: string, body: object = {}) => request(url).post(path).set('Authorization', `Bearer ${TEST_KEYS.coordination}`).send(body);

  it('after two weeks under the threshold it recommends three days a week, once', async () => {
    const { body } = await post(`/v1/central-locations/${locationId}/cadence-evaluation`).expect(200);
    expect(body.weeks.map((w: { utilisation: number }) => w.utilisation)).toEqual([0.2, 0.2]);
    expect(body.recommendation).toMatchObject({ status: 'pending', currentWeekdays: [1, 2, 3, 4, 5], proposedWeekdays: [1, 3, 5] });
    const again = await post(`/v1/central-locations/${locationId}/cadence-evaluation`).expect(200);
    expect(again.body.recommendation.recommendationId).toBe(body.recommendation.recommendationId);
  });

  it('on approval the dropped days are cancelled and their published shifts released with notice; a second decision is refused', async () => {
    const { body: evaluation } = await post(`/v1/central-locations/${locationId}/cadence-evaluation`).expect(200);
    const id = evaluation.recommendation.recommendationId;
    const { body } = await post(`/v1/cadence-recommendations/${id}/approve`).expect(200);
    expect(body).toMatchObject({ status: 'approved', weekdays: [1, 3, 5], cancelledSessions: 2 });
    await eventually(async () => probe.records.map((r) => JSON.parse(r.value!)).filter((e) => e.type === SessionCancelled.v1.type).length === 2, {
      what: 'two SessionCancelled',
    });
    await eventually(
      async () => probe.records.map((r) => JSON.parse(r.value!)).filter((e) => e.type === ShiftReleased.v1.type && e.data.reason === 'cadence-reduced').length === 2,
      { what: 'two shifts released with notice' },
    );
    await post(`/v1/cadence-recommendations/${id}/approve`).expect(409);
    await post(`/v1/cadence-recommendations/${id}/reject`, { reason: 'too late' }).expect(409);
    await post(`/v1/cadence-recommendations/${randomUUID()}/approve`).expect(404);
    const { body: after } = await post(`/v1/central-locations/${locationId}/cadence-evaluation`).expect(200);
    expect(after.recommendation).toBeNull();
    expect(after.why).toContain('3 days a week already');
  });
});
