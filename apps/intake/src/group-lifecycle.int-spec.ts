import request from 'supertest';
import { Client } from 'pg';
import {
  RefugeeGroupArrived,
  RefugeeGroupCancelled,
  RefugeeGroupDeparted,
  RefugeeGroupHeadcountChanged,
  RefugeeGroupRelocated,
  shapeOf,
  Topics,
} from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, loadContractFixture, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { intakeService } from './intake.service';

jest.setTimeout(120_000);

describe("a group's life, the reception-location registry and the overview queries", () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let url: string;

  beforeAll(async () => {
    system = await createTestSystem();
    url = (await system.start(intakeService)).url;
    probe = new KafkaProbe();
    await probe.watch([system.topic(Topics.refugeeGroups.name)]);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  const as = (key: string) => ({
    post: (path: string, body: object) => request(url).post(path).set('Authorization', `Bearer ${key}`).send(body),
    put: (path: string, body: object) => request(url).put(path).set('Authorization', `Bearer ${key}`).send(body),
    get: (path: string) => request(url).get(path).set('Authorization', `Bearer ${key}`),
  });
  const emmen = as(TEST_KEYS.emmen);
  const assen = as(TEST_KEYS.assen);
  const coordination = as(TEST_KEYS.coordination);

  async function announce(reference: string, headcount: number, arrivalDate: string, location = { name: 'AZC Emmen', postcode: '7811 AA', kind: 'reception-centre' }) {
    const response = await emmen.post('/v1/arrivals', { reference, municipalityCode: 'GM0114', location, headcount, arrivalDate }).expect(202);
    return response.body.groupId as string;
  }

  function eventsOf(groupId: string) {
    return probe.on(system.topic(Topics.refugeeGroups.name)).filter((r) => r.key === groupId).map((r) => JSON.parse(r.value!));
  }

  it('headcount changed, relocated, departed: each its own event, in order on the group key, each matching its contract', async () => {
    const groupId = await announce('LIFE-1', 40, '2026-11-01');
    await emmen.post(`/v1/groups/${groupId}/headcount-changes`, { changeReference: 'LIFE-1-c1', headcount: 48, effectiveDate: '2026-11-10' }).expect(202);
    await emmen
      .post(`/v1/groups/${groupId}/relocation`, { changeReference: 'LIFE-1-c2', location: { name: 'Opvang Emmen-Centrum', postcode: '7811 CD', kind: 'neighbourhood' }, relocationDate: '2026-11-20' })
      .expect(202);
    await emmen.post(`/v1/groups/${groupId}/departure`, { changeReference: 'LIFE-1-c3', departureDate: '2026-12-15' }).expect(202);

    const events = await eventually(async () => (eventsOf(groupId).length === 4 ? eventsOf(groupId) : undefined), { what: 'four events' });
    expect(events.map((e) => e.type)).toEqual([
      RefugeeGroupArrived.v1.type,
      RefugeeGroupHeadcountChanged.v1.type,
      RefugeeGroupRelocated.v1.type,
      RefugeeGroupDeparted.v1.type,
    ]);
    const partitions = new Set(probe.on(system.topic(Topics.refugeeGroups.name)).filter((r) => r.key === groupId).map((r) => r.partition));
    expect(partitions.size).toBe(1);
    expect(events[1].data).toMatchObject({ previousHeadcount: 40, headcount: 48, effectiveDate: '2026-11-10' });
    expect(events[2].data).toMatchObject({ from: { name: 'AZC Emmen' }, to: { name: 'Opvang Emmen-Centrum', kind: 'neighbourhood', pc4: '7811' }, headcount: 48 });
    expect(events[3].data).toMatchObject({ headcount: 48, departureDate: '2026-12-15' });
    expect(shapeOf(events[1])).toEqual(shapeOf(loadContractFixture(RefugeeGroupHeadcountChanged.v1)));
    expect(shapeOf(events[2])).toEqual(shapeOf(loadContractFixture(RefugeeGroupRelocated.v1)));
    expect(shapeOf(events[3])).toEqual(shapeOf(loadContractFixture(RefugeeGroupDeparted.v1)));

    const group = await emmen.get(`/v1/groups/${groupId}`).expect(200);
    expect(group.body).toMatchObject({ status: 'departed', headcount: 48, location: { name: 'Opvang Emmen-Centrum' } });
    expect(group.body.changes.map((c: { kind: string }) => c.kind)).toEqual(['headcount-changed', 'relocated', 'departed']);
  });

  it('a change is idempotent per change reference; other values under it are a 409 naming the differences', async () => {
    const groupId = await announce('LIFE-2', 20, '2026-11-01');
    const first = await emmen.post(`/v1/groups/${groupId}/headcount-changes`, { changeReference: 'LIFE-2-c1', headcount: 22, effectiveDate: '2026-11-05' }).expect(202);
    const again = await emmen.post(`/v1/groups/${groupId}/headcount-changes`, { changeReference: 'LIFE-2-c1', headcount: 22, effectiveDate: '2026-11-05' }).expect(202);
    expect(again.body).toEqual({ groupId, changeId: first.body.changeId, created: false });
    const conflict = await emmen.post(`/v1/groups/${groupId}/headcount-changes`, { changeReference: 'LIFE-2-c1', headcount: 23, effectiveDate: '2026-11-05' }).expect(409);
    expect(conflict.body).toMatchObject({ error: 'reference_conflict', differences: [{ field: 'headcount', previous: 22, received: 23 }] });
    await eventually(async () => eventsOf(groupId).length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(eventsOf(groupId).map((e) => e.type)).toEqual([RefugeeGroupArrived.v1.type, RefugeeGroupHeadcountChanged.v1.type]);
  });

  it('refuses changes that contradict the group: before its last change, after it left, to the same size or place, by another municipality', async () => {
    const groupId = await announce('LIFE-3', 10, '2026-11-10');
    const early = await emmen.post(`/v1/groups/${groupId}/headcount-changes`, { changeReference: 'x1', headcount: 12, effectiveDate: '2026-11-01' }).expect(400);
    expect(early.body.fields[0].field).toBe('effectiveDate');
    await emmen.post(`/v1/groups/${groupId}/headcount-changes`, { changeReference: 'x2', headcount: 10, effectiveDate: '2026-11-11' }).expect(400);
    await emmen.post(`/v1/groups/${groupId}/relocation`, { changeReference: 'x3', location: { name: 'azc  emmen', postcode: '7811aa', kind: 'reception-centre' }, relocationDate: '2026-11-12' }).expect(400);
    await assen.post(`/v1/groups/${groupId}/departure`, { changeReference: 'x4', departureDate: '2026-11-20' }).expect(404);
    await emmen.post(`/v1/groups/${groupId}/departure`, { changeReference: 'x5', departureDate: '2026-11-20' }).expect(202);
    const late = await emmen.post(`/v1/groups/${groupId}/headcount-changes`, { changeReference: 'x6', headcount: 3, effectiveDate: '2026-11-21' }).expect(409);
    expect(late.body.error).toBe('group_not_active');
    await emmen.post(`/v1/groups/00000000-0000-4000-8000-000000000000/departure`, { changeReference: 'x7', departureDate: '2026-11-20' }).expect(404);
    await emmen.post(`/v1/groups/not-a-uuid/departure`, { changeReference: 'x8', departureDate: '2026-11-20' }).expect(400);
  });

  it('keeps a dated population history per location and totals per municipality and location at any date; a cancellation counts nowhere, not even in the past', async () => {
    const location = { name: 'Opvang Noord', postcode: '7822 AB', kind: 'reception-centre' };
    const a = await announce('POP-A', 30, '2026-10-01', location);
    const b = await announce('POP-B', 20, '2026-10-15', location);
    const c = await announce('POP-C', 5, '2026-10-20', location);
    await emmen.post(`/v1/groups/${a}/headcount-changes`, { changeReference: 'a1', headcount: 25, effectiveDate: '2026-10-10' }).expect(202);
    await emmen.post(`/v1/groups/${b}/departure`, { changeReference: 'b1', departureDate: '2026-10-31' }).expect(202);
    await emmen.post(`/v1/groups/${c}/cancellation`, { changeReference: 'c1', reason: 'announced-in-error' }).expect(202);
    await emmen.post(`/v1/groups/${c}/headcount-changes`, { changeReference: 'c2', headcount: 6, effectiveDate: '2026-10-21' }).expect(409);

    const { body: locations } = await emmen.get('/v1/locations?date=2026-10-16').expect(200);
    const noord = locations.items.find((l: { name: string }) => l.name === 'Opvang Noord');
    expect(noord).toMatchObject({ population: 45, status: 'occupied', capacity: null, pc4: '7822' });

    const { body: history } = await emmen.get(`/v1/locations/${noord.locationId}/population-history`).expect(200);
    expect(history.history).toEqual([
      { date: '2026-10-01', change: 30, population: 30 },
      { date: '2026-10-10', change: -5, population: 25 },
      { date: '2026-10-15', change: 20, population: 45 },
      { date: '2026-10-31', change: -20, population: 25 },
    ]);

    const onDate = async (date: string) => (await coordination.get(`/v1/totals?by=location&date=${date}`).expect(200)).body.items.find((i: { name: string }) => i.name === 'Opvang Noord')?.population;
    expect(await onDate('2026-09-30')).toBeUndefined();
    expect(await onDate('2026-10-20')).toBe(45); // C's 5 do not count: it was cancelled
    expect(await onDate('2026-11-01')).toBe(25);

    await coordination.put(`/v1/locations/${noord.locationId}/capacity`, { capacity: 120 }).expect(200);
    await assen.put(`/v1/locations/${noord.locationId}/capacity`, { capacity: 1 }).expect(404);
    const { body: after } = await emmen.get('/v1/locations').expect(200);
    expect(after.items.find((l: { name: string }) => l.name === 'Opvang Noord').capacity).toBe(120);

    const cancelled = await eventually(async () => eventsOf(c).find((e) => e.type === RefugeeGroupCancelled.v1.type));
    expect(cancelled.data).toMatchObject({ groupId: c, reason: 'announced-in-error' });
  });

  it('lets a municipal system read only its own municipality, and the coordination everything', async () => {
    await as(TEST_KEYS.coordination).post('/v1/arrivals', { reference: 'ASSEN-1', municipalityCode: 'GM0106', location: { name: 'Opvang Assen', postcode: '9401 AB', kind: 'reception-centre' }, headcount: 15, arrivalDate: '2026-11-01' }).expect(202);
    const own = await emmen.get('/v1/groups?municipalityCode=GM0106').expect(200);
    expect(own.body.items.every((g: { municipalityCode: string }) => g.municipalityCode === 'GM0114')).toBe(true);
    const all = await coordination.get('/v1/groups?status=active&limit=500').expect(200);
    expect(new Set(all.body.items.map((g: { municipalityCode: string }) => g.municipalityCode))).toEqual(new Set(['GM0114', 'GM0106']));
    const byMunicipality = await coordination.get('/v1/totals?by=municipality&date=2026-11-02').expect(200);
    expect(byMunicipality.body.items).toEqual(
      expect.arrayContaining([{ municipalityCode: 'GM0106', name: 'Assen', population: 15 }, expect.objectContaining({ municipalityCode: 'GM0114', name: 'Emmen' })]),
    );
    const assenGroup = all.body.items.find((g: { municipalityCode: string }) => g.municipalityCode === 'GM0106');
    await emmen.get(`/v1/groups/${assenGroup.groupId}`).expect(404);
    await request(url).get('/v1/groups').set('Authorization', `Bearer ${TEST_KEYS.finance}`).expect(403);
    await coordination.get('/v1/totals?by=province').expect(400);
    // A day that does not exist is a 400, never a database error.
    await coordination.get('/v1/totals?by=location&date=2026-02-30').expect(400);
    await emmen.post('/v1/arrivals', { reference: 'BAD-DATE', municipalityCode: 'GM0114', location: { name: 'X', postcode: '7811', kind: 'neighbourhood' }, headcount: 1, arrivalDate: '2026-02-30' }).expect(400);
  });

  it('checks the municipality against the registry: unknown codes and codes ended by a merger are refused', async () => {
    const unknown = await coordination.post('/v1/arrivals', { reference: 'M-1', municipalityCode: 'GM9999', location: { name: 'X', postcode: '1234', kind: 'neighbourhood' }, headcount: 1, arrivalDate: '2026-11-01' }).expect(400);
    expect(unknown.body.fields).toEqual([{ field: 'municipalityCode', messages: [expect.stringContaining('not a known municipality')] }]);
    const merged = await coordination.post('/v1/arrivals', { reference: 'M-2', municipalityCode: 'GM0370', location: { name: 'X', postcode: '1462', kind: 'neighbourhood' }, headcount: 1, arrivalDate: '2026-11-01' }).expect(400);
    expect(merged.body.fields[0].messages[0]).toContain('GM0439 (Purmerend)');
    const tooMany = await emmen.post('/v1/arrivals', { reference: 'M-3', municipalityCode: 'GM0114', location: { name: 'X', postcode: '7811', kind: 'neighbourhood' }, headcount: 5, arrivalDate: '2026-11-01', withBsnCount: 6 }).expect(400);
    expect(tooMany.body.fields[0].field).toBe('withBsnCount');
  });

  it('documents the API with the contract the validation enforces', async () => {
    const { body } = await request(url).get('/docs-json').expect(200);
    const schema = body.paths['/v1/arrivals'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['reference', 'municipalityCode', 'location', 'headcount', 'arrivalDate', 'composition', 'withBsnCount']));
    expect(schema.properties.headcount).toMatchObject({ minimum: 1, maximum: 10000 });
    expect(schema.properties.arrivalDate).toMatchObject({ type: 'string', format: 'date' });
    expect(schema.properties.location.properties.kind.enum).toEqual(['reception-centre', 'neighbourhood']);
  });
});
