import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  CareArrangementChosen,
  CaseloadReported,
  CentralLocationOpened,
  createEnvelope,
  EventContract,
  PracticeRegistered,
  RefugeeGroupArrived,
  SessionCancelled,
  SessionChanged,
  SessionScheduled,
  shapeOf,
  ShiftAssigned,
  ShiftReleased,
  Topics,
} from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, loadContractFixture, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { clinicSchedulingService } from './clinic-scheduling.service';

jest.setTimeout(120_000);

const GP_KEY = (agb: string) => `test-key-gp-${agb}`;
const PRACTICE_KEY = 'test-key-practice-99100001';
const PRACTICES = [
  { practiceAgb: '99100001', hagroCode: 'EMMEN-ZUID', latitude: 52.78, longitude: 6.89, gps: [{ gpAgb: '81000011', fte: 1 }, { gpAgb: '81000012', fte: 1 }] },
  { practiceAgb: '99100002', hagroCode: 'EMMEN-ZUID', latitude: 52.79, longitude: 6.9, gps: [{ gpAgb: '81000021', fte: 1 }, { gpAgb: '81000022', fte: 1 }] },
  { practiceAgb: '99100003', hagroCode: 'EMMEN-CENTRUM', latitude: 52.8, longitude: 6.88, gps: [{ gpAgb: '81000031', fte: 1 }] },
];
const ALL_GPS = PRACTICES.flatMap((p) => p.gps.map((g) => g.gpAgb));

function event<T extends object>(contract: EventContract<T>, data: T, source = '/draaiboek/practice-notification') {
  return createEnvelope({ type: contract.type, source, subject: contract.subjectOf(data), data });
}

/** The Monday at least a week ahead, and the dates after it (Europe/Amsterdam calendar days). */
function mondayAhead(): string {
  const d = new Date(Date.now() + 8 * 86_400_000);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('clinic scheduling: central locations, cadence, fair shifts (rules 4, 7, 8, 9) on real Kafka and Postgres', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let url: string;
  let locationId: string;
  const monday = mondayAhead();

  beforeAll(async () => {
    system = await createTestSystem({
      apiKeys: [
        ...ALL_GPS.map((agb) => ({ id: `gp-${agb}`, key: GP_KEY(agb), roles: ['gp'], gpAgb: agb })),
        { id: 'practice-99100001', key: PRACTICE_KEY, roles: ['practice'], practiceAgb: '99100001' },
      ],
    });
    url = (await system.start(clinicSchedulingService)).url;
    probe = new KafkaProbe();
    await probe.watch([system.topic(Topics.clinicSessions.name), system.topic(Topics.clinicShifts.name), system.topic(Topics.centralLocations.name)]);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();

    const publish = (topic: string, ...envelopes: Array<{ subject: string }>) =>
      probe.produce(system.topic(topic), envelopes.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    await publish(Topics.practiceDirectory.name, ...PRACTICES.map((p) => event(PracticeRegistered.v1, p)));
    // Practice 1 cares for many refugees: its GPs carry more burden (rule 7).
    await publish(Topics.practiceCaseload.name, event(CaseloadReported.v1, { practiceAgb: '99100001', hagroCode: 'EMMEN-ZUID', reportedOn: '2026-11-20', refugeeCount: 400, gpFte: 2 }));
    const groupId = randomUUID();
    const receptionLocationId = randomUUID();
    const location = { locationId: receptionLocationId, name: 'AZC Emmen', postcode: '7811 AA', pc4: '7811', kind: 'reception-centre' as const };
    await publish(
      Topics.refugeeGroups.name,
      event(RefugeeGroupArrived.v1, { groupId, municipalityCode: 'GM0114', reference: 'R-1', location, headcount: 160, arrivalDate: '2026-11-20' }, '/draaiboek/intake'),
    );
    await eventually(async () => (await db.query('SELECT 1 FROM clinic_scheduling.known_groups')).rows.length === 1, { what: 'the group' });
    await eventually(async () => (await db.query('SELECT 1 FROM clinic_scheduling.gps')).rows.length === 5, { what: 'the directory' });
    await eventually(async () => (await db.query('SELECT caseload FROM clinic_scheduling.practice_caseloads WHERE practice_agb = $1', ['99100001'])).rows[0]?.caseload === 400, { what: 'the caseload' });
    await publish(
      Topics.practiceNotifications.name,
      event(CareArrangementChosen.v1, {
        groupId,
        notificationId: randomUUID(),
        practiceAgb: '99100002',
        hagroCode: 'EMMEN-ZUID',
        decidedFor: 'hagro',
        arrangement: 'central-location',
        municipalityCode: 'GM0114',
        location,
        headcount: 160,
        decidedBy: 'hagro-emmen-zuid-coordinator',
        decidedAt: new Date().toISOString(),
      }),
    );
    locationId = await eventually(async () => (await db.query('SELECT id FROM clinic_scheduling.central_locations')).rows[0]?.id, { what: 'the central location' });
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  const as = (key: string) => ({
    get: (path: string) => request(url).get(path).set('Authorization', `Bearer ${key}`),
    post: (path: string, body: object = {}) => request(url).post(path).set('Authorization', `Bearer ${key}`).send(body),
    put: (path: string, body: object) => request(url).put(path).set('Authorization', `Bearer ${key}`).send(body),
  });
  const coordination = as(TEST_KEYS.coordination);
  const events = (type: string) => probe.records.map((r) => JSON.parse(r.value!)).filter((e) => e.type === type);

  it('rule 4: a practice choosing a central location opens one, announced as CentralLocationOpened', async () => {
    const opened = await eventually(async () => events(CentralLocationOpened.v1.type)[0]);
    expect(opened.data).toMatchObject({ centralLocationId: locationId, name: 'Spreekuur AZC Emmen', openedBecause: 'practice-choice' });
    expect(shapeOf(opened)).toEqual(shapeOf(loadContractFixture(CentralLocationOpened.v1)));
  });

  it('rule 9: sessions start only when the required checklist items are done; an item closes once', async () => {
    const cadence = { weekdays: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '11:00', from: monday, weeks: 2, capacity: 16 };
    const refused = await coordination.put(`/v1/central-locations/${locationId}/cadence`, cadence).expect(409);
    expect(refused.body).toMatchObject({ error: 'checklist_incomplete', openItems: ['declarations-arranged', 'his-access', 'workplace-furnished'] });
    await coordination.put(`/v1/central-locations/${locationId}/checklist/his-access`, { owner: 'ICT hagro Emmen-Zuid', dueDate: monday }).expect(200);
    for (const item of ['workplace-furnished', 'his-access', 'declarations-arranged']) {
      await coordination.post(`/v1/central-locations/${locationId}/checklist/${item}/done`).expect(200);
    }
    const twice = await coordination.post(`/v1/central-locations/${locationId}/checklist/his-access/done`).expect(409);
    expect(twice.body.error).toBe('already_done');
    await coordination.post(`/v1/central-locations/${locationId}/checklist/coffee/done`).expect(400);
    const { body: checklist } = await coordination.get(`/v1/central-locations/${locationId}/checklist`).expect(200);
    expect(checklist.ready).toBe(true);
    expect(checklist.items.find((i: { item: string }) => i.item === 'his-access')).toMatchObject({ owner: 'ICT hagro Emmen-Zuid', dueDate: monday, doneBy: 'coordination-test' });
  });

  it('rule 8: a cadence of every weekday schedules its sessions, each published as SessionScheduled, GP slots following capacity', async () => {
    const { body } = await coordination
      .put(`/v1/central-locations/${locationId}/cadence`, { weekdays: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '11:00', from: monday, weeks: 2, capacity: 16 })
      .expect(200);
    expect(body).toMatchObject({ capacity: 16, gpSlots: 2 });
    expect(body.scheduled).toHaveLength(10);
    const scheduled = await eventually(async () => (events(SessionScheduled.v1.type).length === 10 ? events(SessionScheduled.v1.type) : undefined));
    expect(new Set(scheduled.map((e) => e.data.localDate)).size).toBe(10);
    expect(scheduled[0].data).toMatchObject({ centralLocationId: locationId, capacity: 16, gpSlots: 2 });
    // Setting the same cadence again schedules nothing twice and changes nothing.
    const again = await coordination.put(`/v1/central-locations/${locationId}/cadence`, { weekdays: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '11:00', from: monday, weeks: 2, capacity: 16 }).expect(200);
    expect(again.body).toMatchObject({ scheduled: [], changed: [], cancelled: [] });
    // A new capacity changes the sessions: SessionChanged, its own event.
    const bigger = await coordination.put(`/v1/central-locations/${locationId}/cadence`, { weekdays: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '11:00', from: monday, weeks: 2, capacity: 24 }).expect(200);
    expect(bigger.body).toMatchObject({ scheduled: [], capacity: 24, gpSlots: 3 });
    expect(bigger.body.changed).toHaveLength(10);
    const changed = await eventually(async () => (events(SessionChanged.v1.type).length === 10 ? events(SessionChanged.v1.type) : undefined));
    expect(changed[0].data).toMatchObject({ capacity: 24, gpSlots: 3 });
    expect(shapeOf(changed[0])).toEqual(shapeOf(loadContractFixture(SessionChanged.v1)));
    await coordination.put(`/v1/central-locations/${locationId}/cadence`, { weekdays: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '11:00', from: monday, weeks: 2, capacity: 16 }).expect(200);
  });

  it('rule 7: the plan fills every slot, evenly over the GPs, the heavily burdened practice least, and each assignment says why', async () => {
    await as(GP_KEY('81000031')).put('/v1/gps/81000031/preferences', { maxShiftsPerMonth: 8, maxTravelKm: 40, unavailable: [{ from: monday, to: monday }] }).expect(200);
    await as(GP_KEY('81000031')).put('/v1/gps/81000011/preferences', { maxShiftsPerMonth: 8, maxTravelKm: 40, unavailable: [] }).expect(403);
    // A GP reads back what they set (the availability form shows it), and only their own.
    const { body: mine } = await as(GP_KEY('81000031')).get('/v1/gps/81000031/preferences').expect(200);
    expect(mine).toEqual({ gpAgb: '81000031', maxShiftsPerMonth: 8, maxTravelKm: 40, unavailable: [{ from: monday, to: monday }] });
    await as(GP_KEY('81000031')).get('/v1/gps/81000011/preferences').expect(403);
    for (const agb of ['81000011', '81000012', '81000021', '81000022']) {
      await coordination.put(`/v1/gps/${agb}/preferences`, { maxShiftsPerMonth: 8, maxTravelKm: 40, unavailable: [] }).expect(200);
    }
    const { body: plan } = await coordination.post('/v1/roster/plan', { from: monday, to: plusDays(monday, 14) }).expect(200);
    expect(plan.planned).toBe(20);
    expect(plan.unfilled).toEqual([]);
    const perGp = plan.assignments.reduce((acc: Record<string, number>, a: { gpAgb: string }) => ({ ...acc, [a.gpAgb]: (acc[a.gpAgb] ?? 0) + 1 }), {});
    // Practice 1 (400 refugees on 2 FTE = 20 h-equivalents per GP) already carries more than the
    // others reach with all 40 hours between them: its GPs get no shift; the others within one shift.
    expect(perGp['81000011'] ?? 0).toBe(0);
    expect(perGp['81000012'] ?? 0).toBe(0);
    const others = ['81000021', '81000022', '81000031'].map((g) => perGp[g] ?? 0);
    expect(others.reduce((a, b) => a + b, 0)).toBe(20);
    expect(Math.max(...others) - Math.min(...others)).toBeLessThanOrEqual(1);
    expect(plan.fairness).toMatchObject({ gps: 5, max: 20 });
    const { body: shifts } = await coordination.get('/v1/shifts?status=draft').expect(200);
    expect(shifts.filter((s: { localDate: string; gpAgb: string }) => s.localDate === monday && s.gpAgb === '81000031')).toEqual([]);
    expect(shifts[0].why).toMatchObject({ burdenBefore: expect.any(Number), distanceKm: expect.any(Number), text: expect.any(String) });
    // Drafts are the coordination's: GPs and schedulers see published shifts only.
    expect((await as(GP_KEY('81000021')).get('/v1/shifts').expect(200)).body).toEqual([]);
  });

  it('the same input gives the same roster', async () => {
    const first = (await coordination.post('/v1/roster/plan', { from: monday, to: plusDays(monday, 14) }).expect(200)).body;
    const second = (await coordination.post('/v1/roster/plan', { from: monday, to: plusDays(monday, 14) }).expect(200)).body;
    const pick = (p: { assignments: Array<{ slotId: string; gpAgb: string }> }) => p.assignments.map((a) => `${a.slotId}=${a.gpAgb}`);
    expect(pick(second)).toEqual(pick(first));
  });

  it('publishing pins the shifts and tells schedulers (ShiftAssigned); each GP has an iCalendar feed', async () => {
    const { body } = await coordination.post('/v1/roster/publish', { from: monday, to: plusDays(monday, 7) }).expect(200);
    expect(body.published).toBe(10);
    const assigned = await eventually(async () => (events(ShiftAssigned.v1.type).length === 10 ? events(ShiftAssigned.v1.type) : undefined));
    expect(shapeOf(assigned[0])).toEqual(shapeOf(loadContractFixture(ShiftAssigned.v1)));
    const publishedBefore = (await coordination.get('/v1/shifts?status=published').expect(200)).body.map((s: { shiftId: string; gpAgb: string }) => `${s.shiftId}=${s.gpAgb}`);
    await coordination.post('/v1/roster/plan', { from: monday, to: plusDays(monday, 14) }).expect(200);
    const publishedAfter = (await coordination.get('/v1/shifts?status=published').expect(200)).body.map((s: { shiftId: string; gpAgb: string }) => `${s.shiftId}=${s.gpAgb}`);
    expect(publishedAfter).toEqual(publishedBefore);

    const gp = assigned[0].data.gpAgb;
    const ics = await as(GP_KEY(gp)).get(`/v1/gps/${gp}/shifts.ics`).expect(200);
    expect(ics.headers['content-type']).toContain('text/calendar');
    expect(ics.text).toContain('BEGIN:VCALENDAR');
    expect(ics.text).toContain('SUMMARY:Spreekuur Spreekuur AZC Emmen');
    expect(ics.text).toMatch(/DTSTART:\d{8}T080000Z/); // 09:00 in Amsterdam (winter) is 08:00 UTC
    await as(GP_KEY(gp === '81000031' ? '81000021' : '81000031')).get(`/v1/gps/${gp}/shifts.ics`).expect(403);
  });

  it("the coordination's overview: each central location with its checklist, sessions and filled slots; burden per GP", async () => {
    const { body: locations } = await coordination.get('/v1/central-locations').expect(200);
    expect(locations).toEqual([
      expect.objectContaining({
        centralLocationId: locationId,
        name: 'Spreekuur AZC Emmen',
        openedBecause: 'practice-choice',
        checklist: { openRequiredItems: 0, overridden: false, ready: true },
        upcoming: { sessions: 10, gpSlots: 20, filledSlots: 10 },
        pendingRecommendation: null,
      }),
    ]);
    const { body: burden } = await coordination.get(`/v1/roster/burden?from=${monday}&to=${plusDays(monday, 14)}`).expect(200);
    expect(burden.items).toHaveLength(5);
    // 20 slots of 2 hours: 10 published (week 1) and 10 drafts (week 2), 40 hours in all.
    expect(burden.items.reduce((n: number, g: { hours: number }) => n + g.hours, 0)).toBe(40);
    expect(burden.items.reduce((n: number, g: { publishedShifts: number }) => n + g.publishedShifts, 0)).toBe(10);
    await as(GP_KEY('81000011')).get('/v1/central-locations').expect(403);
    await coordination.get('/v1/roster/burden?from=2026-13-01').expect(400);
  });

  it("a practice's contact person sees the published shifts of the practice's GPs, and no other practice's", async () => {
    const practice = as(PRACTICE_KEY);
    const { body: own } = await practice.get('/v1/shifts?practiceAgb=99100001').expect(200);
    const all = (await coordination.get('/v1/shifts?status=published').expect(200)).body;
    const expected = all.filter((s: { gpAgb: string }) => ['81000011', '81000012'].includes(s.gpAgb)).map((s: { shiftId: string }) => s.shiftId);
    expect(own.map((s: { shiftId: string }) => s.shiftId).sort()).toEqual(expected.sort());
    expect(own.every((s: { status: string }) => s.status !== 'draft')).toBe(true);
    await practice.get('/v1/shifts?practiceAgb=99100002').expect(403);
    await practice.get('/v1/shifts').expect(403);
  });

  it('a GP releases a shift: ShiftReleased, and the gap is refilled by the same rules with someone else', async () => {
    const { body: mine } = await as(GP_KEY('81000021')).get('/v1/shifts?status=published').expect(200);
    const shift = mine[0];
    await as(GP_KEY('81000022')).post(`/v1/shifts/${shift.shiftId}/release`).expect(403);
    const { body } = await as(GP_KEY('81000021')).post(`/v1/shifts/${shift.shiftId}/release`).expect(200);
    expect(body.refill).toMatchObject({ gpAgb: expect.any(String), explanation: expect.any(Object) });
    expect(body.refill.gpAgb).not.toBe('81000021');
    const released = await eventually(async () => events(ShiftReleased.v1.type).find((e) => e.data.shiftId === shift.shiftId));
    expect(released.data).toMatchObject({ gpAgb: '81000021', reason: 'released-by-gp' });
    expect(shapeOf(released)).toEqual(shapeOf(loadContractFixture(ShiftReleased.v1)));
    await eventually(async () => events(ShiftAssigned.v1.type).some((e) => e.data.shiftId === body.refill.shiftId && e.data.refill === true));
    await as(GP_KEY('81000021')).post(`/v1/shifts/${shift.shiftId}/release`).expect(409);
    const ics = await as(GP_KEY('81000021')).get('/v1/gps/81000021/shifts.ics').expect(200);
    expect(ics.text).toContain('STATUS:CANCELLED');
  });

  it('a swap goes only to a GP who is eligible: not someone already working at that time', async () => {
    const { body: shifts } = await coordination.get('/v1/shifts?status=published').expect(200);
    const target = shifts[0];
    const colleague = shifts.find((s: { sessionId: string; gpAgb: string }) => s.sessionId === target.sessionId && s.gpAgb !== target.gpAgb);
    const twoPlaces = await coordination.post(`/v1/shifts/${target.shiftId}/swap`, { withGpAgb: colleague.gpAgb }).expect(409);
    expect(twoPlaces.body.error).toBe('not_eligible');
    const free = ALL_GPS.find((g) => g !== target.gpAgb && g !== colleague.gpAgb && g !== '81000031') as string;
    const { body } = await coordination.post(`/v1/shifts/${target.shiftId}/swap`, { withGpAgb: free }).expect(200);
    expect(body.refill.gpAgb).toBe(free);
    await coordination.post(`/v1/shifts/${target.shiftId}/swap`, { withGpAgb: 'abc' }).expect(400);
  });

  it('rule 8: a reduced cadence cancels the dropped days and releases their shifts with notice', async () => {
    const { body } = await coordination
      .put(`/v1/central-locations/${locationId}/cadence`, { weekdays: [1, 3, 5], startTime: '09:00', endTime: '11:00', from: monday, weeks: 2, capacity: 16 })
      .expect(200);
    expect(body.cancelled).toHaveLength(4); // Tuesdays and Thursdays of two weeks
    const cancelled = await eventually(async () => (events(SessionCancelled.v1.type).length === 4 ? events(SessionCancelled.v1.type) : undefined));
    expect(cancelled.every((e) => e.data.reason === 'cadence-reduced')).toBe(true);
    await eventually(async () => events(ShiftReleased.v1.type).filter((e) => e.data.reason === 'cadence-reduced').length === 4, { what: 'the released published shifts of the cancelled days' });
  });

  it('refuses bad input clearly: past sessions, unknown locations, wrong windows', async () => {
    await coordination.post(`/v1/central-locations/${locationId}/sessions`, { date: '2020-01-06', startTime: '09:00', endTime: '11:00', capacity: 8 }).expect(400);
    await coordination.post(`/v1/central-locations/${randomUUID()}/sessions`, { date: plusDays(monday, 30), startTime: '09:00', endTime: '11:00', capacity: 8 }).expect(404);
    await coordination.put(`/v1/central-locations/${randomUUID()}/cadence`, { weekdays: [1], startTime: '09:00', endTime: '11:00', from: monday, weeks: 1 }).expect(404);
    await coordination.put(`/v1/central-locations/${locationId}/cadence`, { weekdays: [8], startTime: '11:00', endTime: '09:00', from: monday, weeks: 1 }).expect(400);
    await coordination.post('/v1/roster/plan', { from: monday, to: monday }).expect(400);
    await as(GP_KEY('81000011')).post('/v1/roster/plan', { from: monday, to: plusDays(monday, 7) }).expect(403);
  });
});
