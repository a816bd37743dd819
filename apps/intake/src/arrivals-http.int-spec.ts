import request from 'supertest';
import { createTestSystem, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { intakeService } from './intake.service';

jest.setTimeout(90_000);

const arrival = {
  reference: 'EMM-HTTP-1',
  municipalityCode: 'GM0114',
  location: { name: 'AZC Emmen', postcode: '7811 AA', kind: 'reception-centre' },
  headcount: 60,
  arrivalDate: '2026-11-20',
};

describe('POST /v1/arrivals: access and bad input', () => {
  let system: TestSystem;
  let url: string;

  beforeAll(async () => {
    system = await createTestSystem();
    url = (await system.start(intakeService)).url;
  });
  afterAll(() => system.stop());

  const post = (body: unknown, key?: string) => {
    const req = request(url).post('/v1/arrivals');
    if (key) req.set('Authorization', `Bearer ${key}`);
    return req.send(body as object);
  };

  it('refuses a request without a credential (401)', async () => {
    const response = await post(arrival).expect(401);
    expect(response.body.error).toBe('unauthenticated');
  });

  it('refuses a municipality announcing for another municipality (403)', async () => {
    const response = await post(arrival, TEST_KEYS.assen).expect(403);
    expect(response.body.message).toContain('GM0106');
  });

  it('refuses a role that may not announce (403)', async () => {
    await post(arrival, TEST_KEYS.finance).expect(403);
  });

  it('answers 400 with every field error, and rejects unknown fields', async () => {
    const response = await post({ ...arrival, headcount: 0, location: { ...arrival.location, postcode: '78' }, nickname: 'x' }, TEST_KEYS.emmen).expect(400);
    expect(response.body.error).toBe('validation_failed');
    expect(response.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['headcount', 'location.postcode', 'nickname']);
  });

  it('answers 400 to a body that is not JSON, and 413 to one that is too large', async () => {
    await request(url).post('/v1/arrivals').set('Authorization', `Bearer ${TEST_KEYS.emmen}`).set('content-type', 'application/json').send('{"reference":').expect(400);
    const huge = { ...arrival, location: { ...arrival.location, name: 'x'.repeat(100_000) } };
    const response = await post(huge, TEST_KEYS.emmen).expect(413);
    expect(response.body.error).toBe('payload_too_large');
  });

  it('accepts an arrival (202), answers a repeat with the same group, and a changed repeat with 409 naming the differences', async () => {
    const first = await post(arrival, TEST_KEYS.emmen).expect(202);
    expect(first.body).toEqual({ groupId: expect.any(String), created: true });
    // Same announcement, spelled differently: still the same group.
    const repeat = await post({ ...arrival, location: { ...arrival.location, postcode: '7811aa' } }, TEST_KEYS.emmen).expect(202);
    expect(repeat.body).toEqual({ groupId: first.body.groupId, created: false });
    const conflict = await post({ ...arrival, headcount: 61 }, TEST_KEYS.emmen).expect(409);
    expect(conflict.body).toMatchObject({
      error: 'reference_conflict',
      groupId: first.body.groupId,
      differences: [{ field: 'headcount', previous: 60, received: 61 }],
    });
  });

  it('lets the coordination announce for any municipality', async () => {
    await post({ ...arrival, reference: 'ASN-COORD-1', municipalityCode: 'GM0106' }, TEST_KEYS.coordination).expect(202);
  });

  it('serves health without a credential and OpenAPI at /docs', async () => {
    await request(url).get('/health/live').expect(200);
    const ready = await request(url).get('/health/ready').expect(200);
    expect(ready.body.checks).toEqual({ postgres: 'ok', kafka: 'ok' });
    await request(url).get('/docs').expect(200);
  });
});
