import fc from 'fast-check';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { deadLetterTopicOf, EVENT_CATALOG, validateEnvelope } from '@draaiboek/contracts';
import { Outcome, RunningService } from '@draaiboek/messaging';
import { createTestSystem, eventually, KafkaProbe, loadContractFixture, TestSystem } from '@draaiboek/messaging/testing';
import { HttpRoute, listHttpRoutes, ServiceConfig } from '@draaiboek/platform';
import { clinicSchedulingService, declarationsService, intakeService, practiceNotificationService } from './all-services';
import { keyFor, ROLE_KEYS } from './role-keys';

/**
 * Generated malformed input against every HTTP endpoint and every consumed topic: no 5xx, no
 * crash, every Kafka record processed or dead-lettered, and rejected input changes no database.
 * Seeded and bounded in `npm test`; `npm run fuzz` runs the long profile (FUZZ_PROFILE=long),
 * FUZZ_SEED=<n> replays a run.
 */
const LONG = process.env.FUZZ_PROFILE === 'long';
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS_PER_ENDPOINT = LONG ? 150 : 6;
const RECORDS_PER_TOPIC = LONG ? 60 : 5;
jest.setTimeout(LONG ? 3_600_000 : 240_000);

const SCHEMAS = ['intake', 'practice_notification', 'clinic_scheduling', 'declarations'];

const segment = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^\d{8}$/),
  fc.constantFrom('0', '-1', '99999999999999999999', 'null', '%25', '..', '%00', 'ﬀ', ' ', 'a'.repeat(300)),
);
const oddText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', ' ', '-1', '0', '2026-02-30', '2026-13-01', '24:61', '99999999999999999999', 'null', 'true', '[]', '{}', '%', 'ö', 'GM0000', '1e309'),
  fc.integer().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const oddJson = fc.oneof(oddText, fc.jsonValue({ maxDepth: 2 }), fc.integer(), fc.double(), fc.constant(null), fc.array(oddText, { maxLength: 3 }));

/** Malformed requests aimed at the route's own query parameters and body fields, and at random ones. */
function httpInputFor(route: HttpRoute) {
  const nameFrom = (names: string[]) =>
    names.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) }) : fc.string({ minLength: 1, maxLength: 12 });
  const jsonBody = fc.oneof(
    { weight: 3, arbitrary: fc.dictionary(nameFrom(route.bodyFields), oddJson, { maxKeys: Math.max(3, route.bodyFields.length) }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
  return fc.record({
    params: fc.array(segment, { minLength: 4, maxLength: 4 }),
    query: fc.dictionary(nameFrom(route.queryParameters), oddText, { maxKeys: Math.max(2, route.queryParameters.length) }),
    body: fc.oneof(
      { weight: 4, arbitrary: jsonBody.map((v) => ({ raw: JSON.stringify(v), type: 'application/json' })) },
      { weight: 1, arbitrary: fc.record({ raw: fc.string({ maxLength: 300 }), type: fc.constantFrom('application/json', 'text/csv', 'text/plain') }) },
    ),
  });
}

/** What a record on a topic can be: bytes, some JSON, or a real event with one field broken. */
function recordsFor(topic: string) {
  const fixtures = EVENT_CATALOG.filter((c) => c.topic.name === topic).map((c) => loadContractFixture(c as never) as unknown as Record<string, unknown>);
  const broken = fixtures.length
    ? fc.record({
        fixture: fc.constantFrom(...fixtures),
        inData: fc.boolean(),
        pick: fc.nat(),
        value: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      }).map(({ fixture, inData, pick, value }) => {
        const envelope = JSON.parse(JSON.stringify(fixture)) as Record<string, unknown>;
        envelope.id = randomUUID();
        const target = (inData ? envelope.data : envelope) as Record<string, unknown>;
        const keys = Object.keys(target);
        const key = keys[pick % keys.length];
        if (value === undefined) delete target[key];
        else target[key] = value;
        return { key: typeof envelope.subject === 'string' ? envelope.subject : 'fuzz', value: JSON.stringify(envelope) };
      })
    : fc.constant({ key: 'fuzz', value: '{}' });
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ key: 'fuzz', value: Buffer.from(bytes) as string | Buffer })),
    fc.jsonValue({ maxDepth: 3 }).map((v) => ({ key: 'fuzz', value: JSON.stringify(v) as string | Buffer })),
    broken,
  );
}

describe('fuzzing: malformed input against every HTTP endpoint and every consumed topic', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let snapshotSql: string;
  const services: Array<RunningService<ServiceConfig>> = [];
  /** What each consumer group made of each event, by event id (as its metrics count it). */
  const reported = new Map<string, Map<string, Outcome>>();

  const snapshot = async (): Promise<Record<string, string>> => {
    const { rows } = await db.query(snapshotSql);
    return Object.fromEntries(rows.map((r: { t: string; h: string }) => [r.t, r.h]));
  };
  /** Cascades of accepted input (events between services) settle before the next comparison. */
  const settled = async () => {
    let previous = JSON.stringify(await snapshot());
    for (;;) {
      await new Promise((r) => setTimeout(r, 400));
      const now = JSON.stringify(await snapshot());
      if (now === previous) return;
      previous = now;
    }
  };

  beforeAll(async () => {
    system = await createTestSystem({ apiKeys: ROLE_KEYS });
    for (const definition of [intakeService, practiceNotificationService, clinicSchedulingService, declarationsService]) {
      services.push((await system.start(definition as never)) as RunningService<ServiceConfig>);
    }
    for (const { consumer } of services) {
      const byEvent = new Map<string, Outcome>();
      if (consumer) reported.set(consumer.groupId, byEvent);
      consumer?.onOutcome((outcome, id) => id && byEvent.set(id, outcome));
    }
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    const { rows: tables } = await db.query(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY 1, 2`,
      [SCHEMAS],
    );
    snapshotSql = tables
      .map(({ s, t }: { s: string; t: string }) => `SELECT '${s}.${t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${s}"."${t}" x`)
      .join(' UNION ALL ');
    probe = new KafkaProbe();
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  it('answers every endpoint without a 5xx, and rejected requests change no database', async () => {
    const problems: string[] = [];
    let sent = 0;
    for (const service of services) {
      for (const route of listHttpRoutes(service.app).filter((r) => !r.public)) {
        await fc.assert(
          fc.asyncProperty(httpInputFor(route), async (input) => {
            let i = 0;
            const path = route.path.replace(/:[A-Za-z]+/g, () => encodeURIComponent(input.params[i++]));
            const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch';
            const before = await snapshot();
            let req = request(service.url)[method](path).query(input.query).set('Authorization', `Bearer ${keyFor(route as HttpRoute)}`);
            if (method !== 'get' && method !== 'delete') req = req.set('content-type', input.body.type).send(input.body.raw);
            const res = await req;
            sent += 1;
            if (res.status >= 500) problems.push(`${service.name} ${route.method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
            if (res.status >= 400 && res.status < 500) {
              const after = await snapshot();
              const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
              if (changed.length) problems.push(`${service.name} ${route.method} ${path}: rejected with ${res.status} but changed ${changed.join(', ')}`);
            } else {
              await settled();
            }
            return true;
          }),
          { numRuns: RUNS_PER_ENDPOINT, seed: SEED, endOnFailure: true },
        );
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(50 * RUNS_PER_ENDPOINT);
  });

  it('processes or dead-letters every generated record on every consumed topic, and the partition moves on', async () => {
    const groups = services.filter((s) => s.consumer).map((s) => ({ service: s, groupId: (s.consumer as NonNullable<typeof s.consumer>).groupId }));
    const subscriptions = await probe.subscriptionsOf(groups.map((g) => g.groupId));
    const topics = [...new Set([...subscriptions.values()].flat())].sort();
    expect(topics.length).toBeGreaterThan(3);
    await probe.watch(topics.map(deadLetterTopicOf));
    const problems: string[] = [];
    const outcomes = { processed: 0, skipped: 0, deadLettered: 0 };

    for (const topic of topics) {
      const logical = topic.slice(system.topicPrefix.length);
      const subscribers = groups.filter((g) => subscriptions.get(g.groupId)?.includes(topic));
      await fc.assert(
        fc.asyncProperty(recordsFor(logical), async (record) => {
          await settled();
          const before = await snapshot();
          const [{ partition, baseOffset }] = await probe.produce(topic, [record]);
          const offset = Number(baseOffset);
          const envelope = (() => {
            try {
              return validateEnvelope(JSON.parse(record.value.toString()));
            } catch {
              return { ok: false as const };
            }
          })();
          let applied = false;
          for (const { groupId } of subscribers) {
            await eventually(async () => (await probe.committedOffset(groupId, topic, partition)) > offset, { what: `${groupId} moving past ${topic}/${partition}@${offset}`, timeoutMs: 60_000 });
            const dead = () => probe.on(deadLetterTopicOf(topic)).find((r) => r.headers['dlq-consumer-group'] === groupId && r.headers['dlq-original-partition'] === String(partition) && r.headers['dlq-original-offset'] === String(offset));
            // Processed: the consumer said so (an inbox row is no proof: handlers idempotent by their own key write none, decision 0033).
            const outcome = envelope.ok ? reported.get(groupId)?.get(envelope.envelope.id) : undefined;
            if (outcome === 'applied' || outcome === 'duplicate') {
              applied ||= outcome === 'applied';
              outcomes.processed += 1;
              continue;
            }
            if (envelope.ok && !dead()) {
              outcomes.skipped += 1; // a valid event of a type this service does not handle
              continue;
            }
            try {
              await eventually(async () => dead(), { what: 'the dead letter', timeoutMs: 10_000 });
              outcomes.deadLettered += 1;
            } catch {
              problems.push(`${groupId}: ${topic}/${partition}@${offset} was neither processed nor dead-lettered`);
            }
          }
          if (!applied) {
            const after = await snapshot();
            const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
            if (changed.length) problems.push(`${topic}/${partition}@${offset}: refused, but changed ${changed.join(', ')}`);
          }
          return true;
        }),
        { numRuns: RECORDS_PER_TOPIC, seed: SEED, endOnFailure: true },
      );
    }
    expect(problems).toEqual([]);
    // Every topic got malformed records its consumers had to refuse.
    expect(outcomes.deadLettered).toBeGreaterThanOrEqual(topics.length);
  });

  it('leaves every service alive and ready', async () => {
    for (const service of services) {
      await request(service.url).get('/health/live').expect(200);
      await request(service.url).get('/health/ready').expect(200);
    }
  });
});
