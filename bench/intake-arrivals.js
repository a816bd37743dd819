'use strict';
/**
 * Intake arrivals benchmark: one run, one set of throwaway infrastructure (a local Apache Kafka
 * broker and a scratch Postgres database, both on 127.0.0.1), every figure beside a baseline
 * measured in the same run:
 *
 *   a. POST /v1/arrivals: N distinct arrivals at concurrency C -> accepted/s, latency p50/p95/p99,
 *      and accepted-and-published/s (until every outbox row has reached Kafka).
 *   b. Baseline: the same three rows (refugee group, population entry, outbox row) per arrival
 *      as raw INSERTs through `pg`, one transaction per arrival, C connections, in a scratch
 *      schema with intake's columns and indexes.
 *   c. Kafka ingress: M signed ArrivalAnnounced records on `municipal.arrivals.v1` -> time from
 *      the first produce until all M groups exist. Baseline: a plain kafkajs consumer reading
 *      the same records with no processing.
 *   d. Correctness on the way: every arrival 202 + created, row counts, every outbox row published.
 *
 * Run with `npm run bench -- intake-arrivals` (bench/run.js builds first). Knobs (env):
 * BENCH_ARRIVALS, BENCH_CONCURRENCY, BENCH_WARMUP, BENCH_KAFKA_RECORDS, BENCH_KAFKA_WARMUP,
 * BENCH_KAFKA_BATCH, BENCH_RELAY_POLL_MS, BENCH_SERIAL_BASELINE, BENCH_PHASE_TIMEOUT_MS,
 * BENCH_TOTAL_TIMEOUT_MS; BENCH_PROFILE_DIR=<dir> writes a CPU profile of the intake process.
 */

const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const {
  sleep,
  envInt,
  pollUntil,
  latencySummary,
  cpuMeter,
  pidsNamed,
  round,
  formatNumber: fmt,
  machineInfo,
} = require('./lib/util');
const { runBounded, startServiceProcess, stackVersions, mapRound } = require('./lib/harness');

const ROOT = path.resolve(__dirname, '..');
const MUNICIPALITY = 'GM0114';
const SIGNING_KEY_ID = 'bench-gm0114';
const API_KEY_ID = 'gm0114-bench';
const BENCH_APP = 'draaiboek-bench';
const LOCATION = { name: 'AZC Emmen', postcode: '7811 AA', kind: 'reception-centre' };

function parameters() {
  return {
    arrivals: envInt('BENCH_ARRIVALS', 3000),
    concurrency: envInt('BENCH_CONCURRENCY', 16, { max: 1000 }),
    warmup: envInt('BENCH_WARMUP', 200, { min: 0 }),
    kafkaRecords: envInt('BENCH_KAFKA_RECORDS', 3000),
    kafkaWarmup: envInt('BENCH_KAFKA_WARMUP', 100, { min: 1 }),
    kafkaBatch: envInt('BENCH_KAFKA_BATCH', 500),
    relayPollIntervalMs: envInt('BENCH_RELAY_POLL_MS', 200),
    phaseTimeoutMs: envInt('BENCH_PHASE_TIMEOUT_MS', 180_000),
    totalTimeoutMs: envInt('BENCH_TOTAL_TIMEOUT_MS', 900_000),
    serialBaselineArrivals: envInt('BENCH_SERIAL_BASELINE', 1000),
  };
}

// ---------------------------------------------------------------------------
// Running things: cleanup stack, bounded concurrency, HTTP client
// ---------------------------------------------------------------------------

/**
 * Runs task(i) for i in [0, count) with `concurrency` workers. Stops handing out work at the
 * first failure or when the deadline passes; returns per-task latencies (ms) and failures.
 */
async function runConcurrently({ count, concurrency, timeoutMs, task }) {
  const deadline = Date.now() + timeoutMs;
  const latencies = [];
  const failures = [];
  let next = 0;
  let stopped = null;
  const worker = async () => {
    for (;;) {
      if (stopped) return;
      const i = next;
      if (i >= count) return;
      next += 1;
      if (Date.now() > deadline) {
        stopped = `time limit of ${timeoutMs} ms reached after ${i} of ${count}`;
        return;
      }
      const t = performance.now();
      try {
        await task(i);
        latencies.push(performance.now() - t);
      } catch (error) {
        failures.push({ i, message: error.message });
        stopped = stopped || `task ${i} failed: ${error.message}`;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = performance.now() - started;
  if (stopped) throw new Error(`${stopped}${failures.length > 1 ? ` (${failures.length} failures)` : ''}`);
  return { elapsedMs, latencies, startedAt: started };
}

function postJson(agent, baseUrl, pathname, body, headers, timeoutMs = 30_000) {
  const url = new URL(pathname, baseUrl);
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': payload.length, ...headers },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------

function arrivalOf(reference, i) {
  return {
    reference,
    municipalityCode: MUNICIPALITY,
    location: { ...LOCATION },
    headcount: 1 + (i % 250),
    arrivalDate: '2026-11-25',
  };
}

/** A signed ArrivalAnnounced record, as a municipal system would produce it. */
function signedRecord(contracts, data, privateKey) {
  const envelope = contracts.createEnvelope({
    type: contracts.ArrivalAnnounced.v1.type,
    source: `/gemeente/${data.municipalityCode}`,
    subject: contracts.ArrivalAnnounced.v1.subjectOf(data),
    data,
  });
  const value = Buffer.from(JSON.stringify(envelope));
  return {
    key: envelope.subject,
    value,
    headers: {
      'draaiboek-key-id': SIGNING_KEY_ID,
      'draaiboek-signature': crypto.sign(null, value, privateKey).toString('base64'),
    },
  };
}

/** Intake's tables (after both migrations) and the outbox, in a scratch schema of their own. */
function rawSchemaSql(s) {
  return `
    CREATE SCHEMA ${s};
    CREATE TABLE ${s}.reception_locations (
      id uuid PRIMARY KEY,
      municipality_code text NOT NULL,
      name text NOT NULL,
      normalized_name text NOT NULL,
      postcode text NOT NULL,
      pc4 text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('reception-centre', 'neighbourhood')),
      created_at timestamptz NOT NULL DEFAULT now(),
      capacity int CHECK (capacity IS NULL OR capacity >= 0)
    );
    CREATE UNIQUE INDEX reception_locations_natural_key ON ${s}.reception_locations (municipality_code, postcode, normalized_name);
    CREATE TABLE ${s}.refugee_groups (
      id uuid PRIMARY KEY,
      municipality_code text NOT NULL,
      reference text NOT NULL,
      location_id uuid NOT NULL REFERENCES ${s}.reception_locations (id),
      headcount int NOT NULL CHECK (headcount BETWEEN 1 AND 10000),
      arrival_date date NOT NULL,
      composition jsonb,
      with_bsn_count int,
      status text NOT NULL CONSTRAINT refugee_groups_status CHECK (status IN ('active', 'departed', 'cancelled')),
      announced_payload jsonb NOT NULL,
      announced_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_change_date date NOT NULL
    );
    CREATE UNIQUE INDEX refugee_groups_reference ON ${s}.refugee_groups (municipality_code, reference);
    CREATE INDEX refugee_groups_location_idx ON ${s}.refugee_groups (location_id);
    CREATE INDEX refugee_groups_status_idx ON ${s}.refugee_groups (municipality_code, status);
    CREATE TABLE ${s}.population_entries (
      id bigserial PRIMARY KEY,
      location_id uuid NOT NULL REFERENCES ${s}.reception_locations (id),
      municipality_code text NOT NULL,
      group_id uuid NOT NULL REFERENCES ${s}.refugee_groups (id),
      effective_date date NOT NULL,
      delta int NOT NULL,
      cause text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX population_entries_location_idx ON ${s}.population_entries (location_id, effective_date);
    CREATE INDEX population_entries_municipality_idx ON ${s}.population_entries (municipality_code, effective_date);
    CREATE TABLE ${s}.outbox (
      seq bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      event_type text NOT NULL,
      topic text NOT NULL,
      message_key text NOT NULL,
      envelope jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    );
    CREATE INDEX outbox_unpublished_idx ON ${s}.outbox (seq) WHERE published_at IS NULL;
  `;
}

/** One arrival the raw way: the three rows intake writes, in one transaction, no ORM, no HTTP. */
async function rawArrival({ pool, schema, contracts, location, reference, i }) {
  const data = arrivalOf(reference, i);
  const groupId = crypto.randomUUID();
  const envelope = contracts.createEnvelope({
    type: contracts.RefugeeGroupArrived.v1.type,
    source: '/draaiboek/intake',
    subject: groupId,
    data: {
      groupId,
      municipalityCode: data.municipalityCode,
      reference: data.reference,
      location: { locationId: location.id, name: location.name, postcode: location.postcode, pc4: location.pc4, kind: location.kind },
      headcount: data.headcount,
      arrivalDate: data.arrivalDate,
    },
  });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ${schema}.refugee_groups
         (id, municipality_code, reference, location_id, headcount, arrival_date, composition, with_bsn_count,
          status, last_change_date, announced_payload, announced_by)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, 'active', $6, $7, $8)`,
      [groupId, data.municipalityCode, data.reference, location.id, data.headcount, data.arrivalDate, data, API_KEY_ID],
    );
    await client.query(
      `INSERT INTO ${schema}.population_entries (location_id, municipality_code, group_id, effective_date, delta, cause)
       VALUES ($1, $2, $3, $4, $5, 'arrived')`,
      [location.id, data.municipalityCode, groupId, data.arrivalDate, data.headcount],
    );
    await client.query(
      `INSERT INTO ${schema}.outbox (event_id, event_type, topic, message_key, envelope) VALUES ($1, $2, $3, $4, $5)`,
      [envelope.id, envelope.type, contracts.RefugeeGroupArrived.v1.topic.name, groupId, envelope],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

// ---------------------------------------------------------------------------
// Observation while measuring
// ---------------------------------------------------------------------------

/** Samples the service's Postgres sessions (everything not ours) every intervalMs. */
function sessionSampler(pool, intervalMs = 100) {
  const samples = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const { rows } = await pool.query(
          `SELECT count(*)::int AS total,
                  count(*) FILTER (WHERE state = 'active')::int AS active,
                  count(*) FILTER (WHERE state LIKE 'idle in transaction%')::int AS idle_in_tx,
                  count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS lock_waits
             FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'
              AND application_name NOT LIKE '${BENCH_APP}%'`,
        );
        samples.push(rows[0]);
      } catch {
        // a sample lost is a sample lost
      }
      await sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const mean = (k) => round(samples.reduce((s, r) => s + r[k], 0) / (samples.length || 1), 1);
      const max = (k) => samples.reduce((m, r) => Math.max(m, r[k]), 0);
      return {
        samples: samples.length,
        maxConnections: max('total'),
        meanActive: mean('active'),
        maxActive: max('active'),
        meanIdleInTransaction: mean('idle_in_tx'),
        maxLockWaits: max('lock_waits'),
      };
    },
  };
}

// ---------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------

async function run({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const params = parameters();
  return runBounded({ totalTimeoutMs: params.totalTimeoutMs, log, work: (cleanup) => measure(params, cleanup, log) });
}

async function measure(params, cleanup, log) {
  // Throwaway infrastructure on this machine, always: never a DATABASE_URL or KAFKA_BROKERS of the shell.
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS']) {
    if (process.env[name]) {
      log(`bench: ignoring ${name} from the environment; the benchmark uses throwaway infrastructure`);
      delete process.env[name];
    }
  }
  if (process.env.DRAAIBOEK_DOCKER === undefined) process.env.DRAAIBOEK_DOCKER = '0';

  require('reflect-metadata');
  require('../tools/run/register-paths');
  const contracts = require('@draaiboek/contracts');
  const { sha256Hex } = require('@draaiboek/platform');
  const { Kafka, logLevel } = require('kafkajs');
  const { Pool } = require('pg');
  const { provideInfrastructure } = require('../tools/infra');

  const startedAt = new Date();
  const machine = machineInfo();
  const runId = crypto.randomBytes(4).toString('hex');
  const refPrefix = `B${runId}`;

  log('bench: starting Kafka and Postgres (throwaway)...');
  const infra = await provideInfrastructure({ mode: 'test', log: (line) => log(`infra: ${line}`) });
  cleanup.add('infrastructure', () => infra.stop(), 60_000);
  for (const line of infra.describe) log(`bench: ${line}`);
  const kafkaHosts = infra.kafkaBrokers.split(',').map((b) => b.trim().replace(/:\d+$/, ''));
  const pgHost = new URL(infra.databaseUrl).hostname;
  if (kafkaHosts.some((h) => h !== '127.0.0.1') || pgHost !== '127.0.0.1') {
    throw new Error(`the benchmark runs against 127.0.0.1 only; got Kafka ${infra.kafkaBrokers} and Postgres ${pgHost}`);
  }
  const kafkaLine = infra.describe.find((l) => l.startsWith('kafka:')) || '';
  const kafkaVersion = (/Apache Kafka ([\w.-]+)/.exec(kafkaLine) || [])[1] || kafkaLine;
  const kafkaPid = Number((/\(pid (\d+)/.exec(kafkaLine) || [])[1]) || null;

  // Credentials made up for this run: an API key for GM0114 and an Ed25519 signing key.
  const apiKey = crypto.randomBytes(24).toString('base64url');
  const signing = crypto.generateKeyPairSync('ed25519');
  const topicPrefix = `b${runId}.`;
  const env = {
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    LOG_LEVEL: 'error',
    API_KEYS: JSON.stringify([{ id: API_KEY_ID, sha256: sha256Hex(apiKey), roles: ['municipality'], municipalityCode: MUNICIPALITY }]),
    MUNICIPAL_SIGNING_KEYS: JSON.stringify([
      { keyId: SIGNING_KEY_ID, municipalityCode: MUNICIPALITY, publicKey: signing.publicKey.export({ type: 'spki', format: 'pem' }) },
    ]),
  };

  log('bench: starting intake (own Node process)...');
  const intake = startServiceProcess({
    label: 'intake',
    modulePath: 'dist/out/apps/intake/src/intake.service.js',
    exportName: 'intakeService',
    options: { env, host: '127.0.0.1', port: 0, relay: { pollIntervalMs: params.relayPollIntervalMs } },
    log,
  });
  cleanup.add('intake service', () => intake.stop(), 40_000);
  const { url } = await intake.ready;
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`intake listens on ${url}, expected 127.0.0.1`);
  log(`bench: intake at ${url} (pid ${intake.pid})`);

  const checkPool = new Pool({ connectionString: infra.databaseUrl, max: 2, application_name: `${BENCH_APP}-check` });
  cleanup.add('check pool', () => checkPool.end());
  const count = async (sql, args = []) => (await checkPool.query(sql, args)).rows[0].n;
  const pendingOutbox = () => count('SELECT count(*)::int AS n FROM intake.outbox WHERE published_at IS NULL');
  const waitOutboxDrained = (what) =>
    pollUntil(
      async () => {
        const pending = await pendingOutbox();
        return { done: pending === 0, status: `${pending} unpublished` };
      },
      { intervalMs: 100, timeoutMs: params.phaseTimeoutMs, what },
    );
  const cpuGroups = {
    loadGenerator: () => [process.pid],
    intake: () => [intake.pid],
    kafka: () => (kafkaPid ? [kafkaPid] : []),
    postgres: () => pidsNamed('postgres'),
  };

  const versions = stackVersions({ kafkaVersion, postgresVersion: (await checkPool.query('SELECT version() AS v')).rows[0].v });
  const pgSettings = Object.fromEntries(
    (
      await checkPool.query(
        `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections')`,
      )
    ).rows.map((r) => [r.name, r.setting]),
  );

  const checks = [];
  const check = (name, ok, detail) => {
    checks.push({ name, ok, detail });
    if (!ok) throw new Error(`check failed: ${name}: ${detail}`);
    log(`bench: ok: ${name} (${detail})`);
  };

  // ---- a. HTTP -----------------------------------------------------------------------------
  // A socket timeout lets Node honour the servers' `Keep-Alive: timeout=5` (it frees an idle socket a
  // second before), instead of reusing one the server is closing (ECONNRESET).
  const agent = new http.Agent({ keepAlive: true, maxSockets: params.concurrency, timeout: 30_000 });
  cleanup.add('http agent', () => agent.destroy());
  const authorization = `Bearer ${apiKey}`;
  const postArrival = async (reference, i, answers) => {
    const response = await postJson(agent, url, '/v1/arrivals', arrivalOf(reference, i), { authorization });
    if (response.status !== 202) throw new Error(`${reference}: HTTP ${response.status} ${response.text.slice(0, 300)}`);
    const body = JSON.parse(response.text);
    if (body.created !== true || typeof body.groupId !== 'string') throw new Error(`${reference}: unexpected answer ${response.text.slice(0, 300)}`);
    if (answers) answers[i] = body.groupId;
  };

  // ---- b. raw pg baseline setup ------------------------------------------------------------
  const rawSchema = `bench_raw_${runId}`;
  const rawPool = new Pool({ connectionString: infra.databaseUrl, max: params.concurrency, application_name: `${BENCH_APP}-raw` });
  cleanup.add('raw pg pool', () => rawPool.end());
  await rawPool.query(rawSchemaSql(rawSchema));
  cleanup.add('raw schema', () => rawPool.query(`DROP SCHEMA IF EXISTS ${rawSchema} CASCADE`));
  const location = { id: crypto.randomUUID(), name: LOCATION.name, postcode: LOCATION.postcode, pc4: '7811', kind: LOCATION.kind };
  await rawPool.query(
    `INSERT INTO ${rawSchema}.reception_locations (id, municipality_code, name, normalized_name, postcode, pc4, kind)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [location.id, MUNICIPALITY, location.name, location.name.toLowerCase(), location.postcode, location.pc4, location.kind],
  );
  const rawRun = (label, n, concurrency) =>
    runConcurrently({
      count: n,
      concurrency,
      timeoutMs: params.phaseTimeoutMs,
      task: (i) => rawArrival({ pool: rawPool, schema: rawSchema, contracts, location, reference: `${refPrefix}-${label}-${i}`, i }),
    });

  // Warm-ups, not counted: both paths, same size.
  if (params.warmup > 0) {
    log(`bench: warm-up: ${params.warmup} HTTP arrivals and ${params.warmup} raw transactions`);
    await runConcurrently({
      count: params.warmup,
      concurrency: params.concurrency,
      timeoutMs: params.phaseTimeoutMs,
      task: (i) => postArrival(`${refPrefix}-WARM-${i}`, i),
    });
    await rawRun('RAWWARM', params.warmup, params.concurrency);
  }
  await waitOutboxDrained('the warm-up arrivals to be published');

  log(`bench: a. HTTP: ${params.arrivals} arrivals at concurrency ${params.concurrency}...`);
  const httpRefs = `${refPrefix}-HTTP-%`;
  const answers = new Array(params.arrivals);
  const httpSessions = sessionSampler(checkPool);
  const httpCpu = cpuMeter(cpuGroups);
  const httpRun = await runConcurrently({
    count: params.arrivals,
    concurrency: params.concurrency,
    timeoutMs: params.phaseTimeoutMs,
    task: (i) => postArrival(`${refPrefix}-HTTP-${i}`, i, answers),
  });
  const httpCpuUse = httpCpu.stop();
  const [httpPublished, httpDb] = await Promise.all([
    waitOutboxDrained('every outbox row of the HTTP arrivals to be published').then((r) => ({ ...r, at: performance.now() })),
    httpSessions.stop(),
  ]);
  const httpPublishedMs = httpPublished.at - httpRun.startedAt;
  const httpLatency = latencySummary(httpRun.latencies);
  log(`bench: HTTP: ${fmt(params.arrivals / (httpRun.elapsedMs / 1000))} arrivals/s; all published ${fmt(httpPublished.elapsedMs, 0)} ms after the last answer`);

  // d. Correctness of what HTTP accepted.
  check('every HTTP arrival answered 202 with created=true', httpRun.latencies.length === params.arrivals, `${httpRun.latencies.length} of ${params.arrivals}`);
  check('distinct group ids', new Set(answers).size === params.arrivals, `${new Set(answers).size} distinct`);
  const httpGroups = await count('SELECT count(*)::int AS n FROM intake.refugee_groups WHERE reference LIKE $1', [httpRefs]);
  check('refugee_groups rows = arrivals sent over HTTP', httpGroups === params.arrivals, `${httpGroups} rows`);
  const answeredIds = await count('SELECT count(*)::int AS n FROM intake.refugee_groups WHERE id = ANY($1::uuid[])', [answers]);
  check('every answered groupId is a stored group', answeredIds === params.arrivals, `${answeredIds} found`);
  const httpEntries = await count(
    `SELECT count(*)::int AS n FROM intake.population_entries p JOIN intake.refugee_groups g ON g.id = p.group_id
      WHERE g.reference LIKE $1 AND p.cause = 'arrived'`,
    [httpRefs],
  );
  check('population_entries rows = arrivals sent over HTTP', httpEntries === params.arrivals, `${httpEntries} rows`);
  const httpOutbox = (
    await checkPool.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE o.published_at IS NULL)::int AS pending
         FROM intake.outbox o JOIN intake.refugee_groups g ON o.message_key = g.id::text
        WHERE g.reference LIKE $1 AND o.event_type = $2`,
      [httpRefs, contracts.RefugeeGroupArrived.v1.type],
    )
  ).rows[0];
  check('outbox rows = arrivals sent over HTTP, all published', httpOutbox.total === params.arrivals && httpOutbox.pending === 0, `${httpOutbox.total} rows, ${httpOutbox.pending} unpublished`);

  // ---- b. raw pg baseline --------------------------------------------------------------------
  log(`bench: b. raw pg: ${params.arrivals} transactions at concurrency ${params.concurrency}...`);
  const rawCpu = cpuMeter(cpuGroups);
  const rawMeasured = await rawRun('RAW', params.arrivals, params.concurrency);
  const rawCpuUse = rawCpu.stop();
  const rawLatency = latencySummary(rawMeasured.latencies);
  const rawRows = await count(`SELECT count(*)::int AS n FROM ${rawSchema}.refugee_groups WHERE reference LIKE $1`, [`${refPrefix}-RAW-%`]);
  check('raw baseline rows = transactions run', rawRows === params.arrivals, `${rawRows} rows`);
  const serialN = Math.min(params.serialBaselineArrivals, params.arrivals);
  log(`bench: b'. raw pg, one transaction at a time: ${serialN} transactions...`);
  const rawSerial = await rawRun('RAWSERIAL', serialN, 1);
  const rawSerialLatency = latencySummary(rawSerial.latencies);
  log(`bench: raw pg: ${fmt(params.arrivals / (rawMeasured.elapsedMs / 1000))} tx/s at concurrency ${params.concurrency}, ${fmt(serialN / (rawSerial.elapsedMs / 1000))} tx/s serial`);

  // ---- c. Kafka ingress --------------------------------------------------------------------
  const kafka = new Kafka({
    clientId: 'draaiboek-bench',
    brokers: infra.kafkaBrokers.split(','),
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 5 },
    logLevel: logLevel.ERROR,
  });
  const arrivalsTopic = topicPrefix + contracts.Topics.municipalArrivals.name;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  cleanup.add('kafka producer', () => producer.disconnect());
  const produceAll = async (records) => {
    for (let i = 0; i < records.length; i += params.kafkaBatch) {
      await producer.send({ topic: arrivalsTopic, acks: -1, messages: records.slice(i, i + params.kafkaBatch) });
    }
  };
  const groupsLike = (pattern) => count('SELECT count(*)::int AS n FROM intake.refugee_groups WHERE reference LIKE $1', [pattern]);
  const waitGroups = (pattern, n, what) =>
    pollUntil(
      async () => {
        const have = await groupsLike(pattern);
        return { done: have >= n, status: `${have} of ${n}` };
      },
      { intervalMs: 100, timeoutMs: params.phaseTimeoutMs, what },
    );

  log(`bench: c. Kafka: warm-up with ${params.kafkaWarmup} signed records (the consumer group must have joined)...`);
  const warmRecords = Array.from({ length: params.kafkaWarmup }, (_, i) =>
    signedRecord(contracts, arrivalOf(`${refPrefix}-KWARM-${i}`, i), signing.privateKey),
  );
  await produceAll(warmRecords);
  await waitGroups(`${refPrefix}-KWARM-%`, params.kafkaWarmup, 'the Kafka warm-up groups');
  await waitOutboxDrained('the Kafka warm-up events to be published');

  const kafkaRefs = `${refPrefix}-KAFKA-%`;
  const records = Array.from({ length: params.kafkaRecords }, (_, i) =>
    signedRecord(contracts, arrivalOf(`${refPrefix}-KAFKA-${i}`, i), signing.privateKey),
  );
  log(`bench: c. Kafka: ${params.kafkaRecords} signed records in batches of ${params.kafkaBatch}...`);
  const kafkaSessions = sessionSampler(checkPool);
  const kafkaCpu = cpuMeter(cpuGroups);
  const t0 = performance.now();
  await produceAll(records);
  const producedMs = performance.now() - t0;
  await waitGroups(kafkaRefs, params.kafkaRecords, `all ${params.kafkaRecords} Kafka-announced groups`);
  const ingestMs = performance.now() - t0;
  const kafkaCpuUse = kafkaCpu.stop();
  const [kafkaPublishedAt, kafkaDb] = await Promise.all([
    waitOutboxDrained('every outbox row of the Kafka arrivals to be published').then(() => performance.now()),
    kafkaSessions.stop(),
  ]);
  const kafkaPublishedMs = kafkaPublishedAt - t0;
  log(`bench: Kafka ingress: ${fmt(params.kafkaRecords / (ingestMs / 1000))} records/s (produced in ${fmt(producedMs, 0)} ms)`);

  const kafkaGroups = (
    await checkPool.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE announced_by = $2)::int AS signed
         FROM intake.refugee_groups WHERE reference LIKE $1`,
      [kafkaRefs, `kafka:${SIGNING_KEY_ID}`],
    )
  ).rows[0];
  check('refugee_groups rows = Kafka records sent, announced by the signing key', kafkaGroups.n === params.kafkaRecords && kafkaGroups.signed === params.kafkaRecords, `${kafkaGroups.n} rows, ${kafkaGroups.signed} by kafka:${SIGNING_KEY_ID}`);
  const kafkaEntries = await count(
    `SELECT count(*)::int AS n FROM intake.population_entries p JOIN intake.refugee_groups g ON g.id = p.group_id WHERE g.reference LIKE $1`,
    [kafkaRefs],
  );
  check('population_entries rows = Kafka records sent', kafkaEntries === params.kafkaRecords, `${kafkaEntries} rows`);
  const inboxRows = await count('SELECT count(*)::int AS n FROM intake.inbox WHERE topic = $1', [arrivalsTopic]);
  check('inbox rows = every record on the ingress topic', inboxRows === params.kafkaWarmup + params.kafkaRecords, `${inboxRows} rows`);
  const kafkaOutbox = (
    await checkPool.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE o.published_at IS NULL)::int AS pending
         FROM intake.outbox o JOIN intake.refugee_groups g ON o.message_key = g.id::text WHERE g.reference LIKE $1`,
      [kafkaRefs],
    )
  ).rows[0];
  check('outbox rows = Kafka records sent, all published', kafkaOutbox.total === params.kafkaRecords && kafkaOutbox.pending === 0, `${kafkaOutbox.total} rows, ${kafkaOutbox.pending} unpublished`);

  // "Published" means on Kafka: the refugee-groups topic holds at least one record per outbox row.
  const admin = kafka.admin();
  await admin.connect();
  cleanup.add('kafka admin', () => admin.disconnect());
  const topicRecords = async (topic) => (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
  const outboxTotal = await count('SELECT count(*)::int AS n FROM intake.outbox');
  const groupsTopicRecords = await topicRecords(topicPrefix + contracts.Topics.refugeeGroups.name);
  check('the refugee-groups topic holds every published outbox row', groupsTopicRecords >= outboxTotal, `${groupsTopicRecords} records for ${outboxTotal} outbox rows`);
  const deadLetters = await topicRecords(contracts.deadLetterTopicOf(arrivalsTopic));
  check('no ingress record dead-lettered', deadLetters === 0, `${deadLetters} dead letters`);

  // ---- c. baseline: a plain consumer reading the same records ----------------------------
  const ingressRecords = await topicRecords(arrivalsTopic);
  check('ingress topic holds exactly the records sent', ingressRecords === params.kafkaWarmup + params.kafkaRecords, `${ingressRecords} records`);
  log(`bench: c. baseline: a plain kafkajs consumer reading all ${ingressRecords} records, no processing...`);
  const consumer = kafka.consumer({ groupId: `bench-baseline-${runId}`, allowAutoTopicCreation: false, sessionTimeout: 30000, heartbeatInterval: 3000 });
  await consumer.connect();
  cleanup.add('baseline consumer', () => consumer.disconnect());
  await consumer.subscribe({ topic: arrivalsTopic, fromBeginning: true });
  let seen = 0;
  let firstAt = null;
  let lastAt = null;
  let allRead;
  const allReadPromise = new Promise((resolve) => (allRead = resolve));
  const runAt = performance.now();
  await consumer.run({
    autoCommit: true,
    partitionsConsumedConcurrently: 3, // as the service's consumer (KAFKA_PARTITIONS_CONCURRENTLY)
    eachMessage: async () => {
      const now = performance.now();
      if (firstAt === null) firstAt = now;
      seen += 1;
      if (seen === ingressRecords) {
        lastAt = now;
        allRead();
      }
    },
  });
  let readTimer;
  await Promise.race([
    allReadPromise,
    new Promise((_, reject) => {
      readTimer = setTimeout(() => reject(new Error(`baseline consumer read ${seen} of ${ingressRecords} records in ${params.phaseTimeoutMs} ms`)), params.phaseTimeoutMs);
    }),
  ]).finally(() => clearTimeout(readTimer));
  await consumer.disconnect();
  const consumerReadMs = lastAt - firstAt;
  const consumerJoinMs = firstAt - runAt;
  check('baseline consumer read every record', seen === ingressRecords, `${seen} records`);

  const errorLines = intake.errorLines();
  check('intake logged no errors', errorLines.length === 0, errorLines.length ? errorLines.slice(0, 3).join(' | ') : '0 error lines');
  if (!intake.isRunning()) throw new Error('the intake process exited during the benchmark');

  // ---- results -------------------------------------------------------------------------------
  const perSecond = (n, ms) => round(n / (ms / 1000), 1);
  const httpRate = perSecond(params.arrivals, httpRun.elapsedMs);
  const rawRate = perSecond(params.arrivals, rawMeasured.elapsedMs);
  const httpPublishedRate = perSecond(params.arrivals, httpPublishedMs);
  const kafkaRate = perSecond(params.kafkaRecords, ingestMs);
  const consumerRate = perSecond(ingressRecords, consumerReadMs);
  const rawSerialRate = perSecond(serialN, rawSerial.elapsedMs);
  const ratio = (a, b) => round(a / b, 3);

  const measures = [
    {
      key: 'http.accepted',
      label: `Arrivals accepted over HTTP (POST /v1/arrivals, N=${params.arrivals}, C=${params.concurrency})`,
      value: httpRate,
      unit: '/s',
      baseline: { label: `raw pg: 3 INSERTs in 1 tx, pool of ${params.concurrency}`, value: rawRate, unit: 'tx/s' },
      ratio: ratio(httpRate, rawRate),
    },
    {
      key: 'http.latency.p50',
      label: 'HTTP latency p50',
      value: round(httpLatency.p50, 1),
      unit: 'ms',
      baseline: { label: 'raw pg tx p50', value: round(rawLatency.p50, 1), unit: 'ms' },
      ratio: ratio(httpLatency.p50, rawLatency.p50),
    },
    {
      key: 'http.latency.p95',
      label: 'HTTP latency p95',
      value: round(httpLatency.p95, 1),
      unit: 'ms',
      baseline: { label: 'raw pg tx p95', value: round(rawLatency.p95, 1), unit: 'ms' },
      ratio: ratio(httpLatency.p95, rawLatency.p95),
    },
    {
      key: 'http.latency.p99',
      label: 'HTTP latency p99',
      value: round(httpLatency.p99, 1),
      unit: 'ms',
      baseline: { label: 'raw pg tx p99', value: round(rawLatency.p99, 1), unit: 'ms' },
      ratio: ratio(httpLatency.p99, rawLatency.p99),
    },
    {
      key: 'http.published',
      label: 'Arrivals accepted and their RefugeeGroupArrived on Kafka (first request -> last outbox row published)',
      value: httpPublishedRate,
      unit: '/s',
      baseline: { label: 'raw pg tx (no publishing)', value: rawRate, unit: 'tx/s' },
      ratio: ratio(httpPublishedRate, rawRate),
    },
    {
      key: 'kafka.ingress',
      label: `Kafka ingress: signed ArrivalAnnounced -> group stored (M=${params.kafkaRecords}, first produce -> last group)`,
      value: kafkaRate,
      unit: 'records/s',
      baseline: { label: 'plain kafkajs consumer, eachMessage, no processing', value: consumerRate, unit: 'records/s' },
      ratio: ratio(kafkaRate, consumerRate),
    },
    {
      key: 'kafka.ingress.vs-serial-pg',
      label: 'Kafka ingress, against one-at-a-time raw pg transactions',
      value: kafkaRate,
      unit: 'records/s',
      baseline: { label: `raw pg: 3 INSERTs in 1 tx, concurrency 1 (${serialN} tx)`, value: rawSerialRate, unit: 'tx/s' },
      ratio: ratio(kafkaRate, rawSerialRate),
    },
  ];

  const result = {
    benchmark: 'intake-arrivals',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    params,
    machine,
    versions,
    postgresSettings: pgSettings,
    infrastructure: infra.describe,
    measures,
    details: {
      http: {
        elapsedMs: round(httpRun.elapsedMs, 1),
        latencyMs: mapRound(httpLatency),
        publishedAfterLastAnswerMs: httpPublished.elapsedMs,
        cpu: httpCpuUse,
        serviceDbSessions: httpDb,
      },
      rawPg: {
        elapsedMs: round(rawMeasured.elapsedMs, 1),
        latencyMs: mapRound(rawLatency),
        cpu: rawCpuUse,
        serial: { transactions: serialN, elapsedMs: round(rawSerial.elapsedMs, 1), latencyMs: mapRound(rawSerialLatency) },
      },
      kafka: {
        producedMs: round(producedMs, 1),
        ingestMs: round(ingestMs, 1),
        publishedMs: round(kafkaPublishedMs, 1),
        cpu: kafkaCpuUse,
        serviceDbSessions: kafkaDb,
        baselineConsumer: { records: ingressRecords, readMs: round(consumerReadMs, 1), joinMs: round(consumerJoinMs, 1) },
      },
    },
    checks,
  };
  result.disturbedPhases = disturbedPhases(result);
  for (const x of result.disturbedPhases) {
    log(`bench: WARNING: other work used ${x.other} CPU s (${x.share} % of busy time) during the ${x.phase} phase; its figures are disturbed`);
  }
  return result;
}

// ---------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------

function ratioText(m) {
  return m.ratio === null || m.ratio === undefined ? 'n/a' : `${fmt(m.ratio, 2)}×`;
}

/** The "## Intake" section of docs/benchmarks.md (without its heading). */
function markdown(result) {
  const { params: p, machine: m, versions: v, details: d } = result;
  const lines = [];
  lines.push(
    `_Generated by \`npm run bench -- intake-arrivals\` on ${result.finishedAt.slice(0, 10)} (commit ${v.git}); the next run rewrites this section._`,
    '',
    'One run, one set of throwaway infrastructure on 127.0.0.1 (a local Apache Kafka broker, a scratch database on the local PostgreSQL server), the intake service in its own Node process, the load generator in another. Ratio = intake ÷ baseline: below 1 is slower than the baseline for rates, above 1 is slower for latencies.',
    '',
    '| Measure | Intake | Baseline (same run) | Ratio |',
    '| --- | ---: | --- | ---: |',
  );
  for (const x of result.measures) {
    lines.push(`| ${x.label} | ${fmt(x.value)} ${x.unit} | ${x.baseline.label}: ${fmt(x.baseline.value)} ${x.baseline.unit} | ${ratioText(x)} |`);
  }
  const cpu = (c) =>
    `machine ${c.machineBusyPercent ?? 'n/a'} % busy; CPU s: intake ${c.cpuSeconds.intake ?? 'n/a'}, load generator ${c.cpuSeconds.loadGenerator ?? 'n/a'}, PostgreSQL ${c.cpuSeconds.postgres ?? 'n/a'}, Kafka broker ${c.cpuSeconds.kafka ?? 'n/a'}, everything else ${c.cpuSeconds.other ?? 'n/a'}`;
  lines.push(
    '',
    '**While measuring**',
    '',
    `- HTTP phase: ${fmt(d.http.elapsedMs / 1000, 2)} s; ${cpu(d.http.cpu)}. Intake's Postgres sessions: at most ${d.http.serviceDbSessions.maxConnections}, on average ${d.http.serviceDbSessions.meanActive} active and ${d.http.serviceDbSessions.meanIdleInTransaction} idle in transaction. Latency max ${fmt(d.http.latencyMs.max, 1)} ms. Last outbox row published ${fmt(d.http.publishedAfterLastAnswerMs, 0)} ms after the last answer.`,
    `- Raw pg phase: ${fmt(d.rawPg.elapsedMs / 1000, 2)} s; ${cpu(d.rawPg.cpu)}. One transaction at a time: p50 ${fmt(d.rawPg.serial.latencyMs.p50, 2)} ms.`,
    `- Kafka phase: the ${fmt(p.kafkaRecords, 0)} records were produced in ${fmt(d.kafka.producedMs, 0)} ms and stored after ${fmt(d.kafka.ingestMs / 1000, 2)} s (last outbox row published ${fmt(d.kafka.publishedMs - d.kafka.ingestMs, 0)} ms later); ${cpu(d.kafka.cpu)}. Intake's Postgres sessions: on average ${d.kafka.serviceDbSessions.meanActive} active. The baseline consumer read ${fmt(d.kafka.baselineConsumer.records, 0)} records (warm-up included) in ${fmt(d.kafka.baselineConsumer.readMs, 0)} ms after joining its group in ${fmt(d.kafka.baselineConsumer.joinMs, 0)} ms.`,
    `- Checks passed: ${result.checks.length} (every arrival 202 with created=true; group, population-entry, inbox and outbox row counts; every outbox row published and on the topic; no dead letters; no error logged by intake).`,
    '',
    '**Machine and versions**',
    '',
    `- ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB RAM, ${m.platform}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
    `- Node ${v.node}, Apache Kafka ${v.kafka}, kafkajs ${v.kafkajs}, pg ${v.pg}, NestJS ${v.nestjs}, TypeORM ${v.typeorm}.`,
    `- ${v.postgres}; fsync=${result.postgresSettings.fsync}, synchronous_commit=${result.postgresSettings.synchronous_commit}, shared_buffers=${result.postgresSettings.shared_buffers} × 8 kB.`,
    `- Settings: N=${p.arrivals}, C=${p.concurrency}, warm-up ${p.warmup} HTTP + ${p.warmup} raw + ${p.kafkaWarmup} Kafka (not counted), M=${p.kafkaRecords} in batches of ${p.kafkaBatch}, outbox relay poll ${p.relayPollIntervalMs} ms, service pool: the platform default (10 connections).`,
  );
  const disturbed = disturbedPhases(result);
  if (disturbed.length) {
    lines.push(
      `- **Disturbed run:** other work on the machine used ${disturbed.map((x) => `${x.other} CPU s during the ${x.phase} phase (${x.share} % of all busy time)`).join(', ')}; those figures are lower than this machine can do. Run again on a quiet machine.`,
    );
  }
  if (m.cores <= 2) {
    lines.push(
      `- Only ${m.cores} cores: the load generator, the intake process, PostgreSQL and the Kafka broker all share them, so the absolute figures are low and every ratio includes that contention. Compare ratios across runs, not absolute rates across machines.`,
    );
  }
  return lines.join('\n');
}

/** Phases during which processes other than ours used more than 15 % of the machine's busy CPU time. */
function disturbedPhases(result) {
  const out = [];
  for (const [phase, detail] of Object.entries({ HTTP: result.details.http, 'raw pg': result.details.rawPg, Kafka: result.details.kafka })) {
    const seconds = detail.cpu.cpuSeconds;
    if (seconds.other === null || seconds.other === undefined) continue;
    const busy = Object.values(seconds).reduce((s, v) => s + (v || 0), 0);
    if (busy > 0 && seconds.other / busy > 0.15) out.push({ phase, other: seconds.other, share: round((100 * seconds.other) / busy, 0) });
  }
  return out;
}

/** Rows for the console table printed by bench/run.js. */
function tableRows(result) {
  return result.measures.map((x) => ({
    measure: x.label,
    value: `${fmt(x.value)} ${x.unit}`,
    baseline: `${fmt(x.baseline.value)} ${x.baseline.unit} (${x.baseline.label})`,
    ratio: ratioText(x),
  }));
}

module.exports = {
  name: 'intake-arrivals',
  title: 'Intake: arrivals over HTTP and over Kafka',
  docsSection: 'Intake',
  run,
  markdown,
  tableRows,
};
