'use strict';
/**
 * Pipeline benchmark (issue 10): arrivals through all four services, each in its own Node process,
 * on one throwaway Kafka broker and one scratch database, with every durable effect, beside
 * baselines measured in the same run on the same broker and database.
 *
 * The chain, per arrival (each at its own reception location, a PC4 of Emmen the seed covers):
 *   1. POST intake /v1/arrivals (the clock starts when the request starts) -> refugee group,
 *      population entry, outbox -> RefugeeGroupArrived.
 *   2. practice-notification: arrived group, a notification + queued e-mail + PracticeNotified per
 *      practice covering the PC4 (the seed: 1 to 4); the mail sender delivers to the mail catcher.
 *      clinic-scheduling keeps its copy of the group (known_groups).
 *   3. The practice chooses (human step, played by the benchmark at once when it sees the first
 *      PracticeNotified of the group): POST /v1/notifications/{id}/decision central-location
 *      -> CareArrangementChosen and e-mails to the municipality's instances.
 *   4. clinic-scheduling opens the central location and its checklist -> CentralLocationOpened.
 *   5. The coordination (human steps, played at once when the benchmark sees CentralLocationOpened):
 *      the three required checklist items done (three POSTs, concurrently), then the cadence
 *      (PUT, every weekday for one week) -> five sessions -> five SessionScheduled.
 *   6. declarations records each session (declarable_sessions).
 *   The benchmark reads the topics with a plain kafkajs consumer and takes local receive times
 *   (Date.now() of this process, the same clock as the request starts).
 *
 * Phases:
 *   A. Throughput: N arrivals as fast as intake accepts them (C requests at a time), the actors
 *      answering; rate = N / (first request -> every durable effect of every arrival in place).
 *      Baselines: (a) raw pg: as many write transactions and rows as the pipeline wrote per arrival
 *      (counted in this phase: transaction ids used, rows added), C connections, one INSERT per
 *      row into one scratch table; (b) raw kafkajs: as many records per arrival, of the same mean
 *      size, produced (acks=all) and consumed by plain clients.
 *   B. Latency at half the phase A rate, arrivals paced for T seconds: arrival -> first
 *      PracticeNotified and arrival -> first SessionScheduled, p50/p99. Baseline: a hand-written
 *      chain of the same sequential transactions and Kafka hops (2 + 2 to PracticeNotified, 6 + 5
 *      to SessionScheduled; plain pg and kafkajs in this process) at the same rate.
 *   C. The same latencies at a quiet rate (BENCH_QUIET_RATE, default 1/s, for BENCH_QUIET_SECONDS,
 *      default 20; 0 skips it): what the chain costs when the machine is not saturated.
 *   Relay per hop (phase B's records): outbox row created_at -> record timestamp (set by the
 *   relay's producer) and -> received by the plain consumer.
 *   Memory: VmRSS of each service after start and seeding (idle), sampled every 200 ms through A
 *   and B (peak, with VmHWM).
 *
 * Checks (the run fails when one fails): every arrival accepted; per arrival exactly its groups,
 * notifications, decision, central location, five sessions and five declarable sessions; every
 * outbox row published; every mail sent and accepted by the catcher; the benchmark saw every
 * PracticeNotified and SessionScheduled; nothing dead-lettered; no error logged by any service;
 * no actor request refused.
 *
 * Run with `npm run bench -- pipeline`. Knobs (env): BENCH_ARRIVALS (N), BENCH_CONCURRENCY (C),
 * BENCH_LATENCY_SECONDS (T), BENCH_QUIET_RATE, BENCH_QUIET_SECONDS, BENCH_WARMUP, BENCH_TOTAL_TIMEOUT_MS; BENCH_PROFILE_DIR=<dir> writes
 * a CPU profile of every service process.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const { envInt, pollUntil, latencySummary, cpuMeter, pidsNamed, round, formatNumber: fmt, machineInfo, memoryOf, sleep } = require('./lib/util');
const {
  ROOT,
  runBounded,
  startServiceProcess,
  startMailCatcherProcess,
  httpRequest,
  stackVersions,
  handWrittenPart,
  checkList,
  throwawayInfrastructure,
  disturbedPhases,
} = require('./lib/harness');
const { SERVICES } = require('./lib/services');

const NAME = 'pipeline';
const DOCS_SECTION = 'Pipeline';
const HAND_WRITTEN_MARKER = '### Where the time goes';
const DOCS_FILE = path.join(ROOT, 'docs', 'benchmarks.md');
const SEED_DIR = path.join(ROOT, 'apps', 'practice-notification', 'seed');
const REGION_FILE = path.join(ROOT, 'apps', 'practice-notification', 'src', 'modules', 'directory', 'region', 'region.drenthe.json');
const MUNICIPALITY = 'GM0114'; // Emmen
const REQUIRED_ITEMS = ['workplace-furnished', 'his-access', 'declarations-arranged'];
const SESSIONS_PER_ARRIVAL = 5; // weekdays 1-5 for one week: any 7 days hold five weekdays
const TARGETS = { arrivalsPerSecond: 1000, sessionP99Ms: 250, hopP99Ms: 25, memoryMiB: 200 };
const SCHEMAS = ['intake', 'practice_notification', 'clinic_scheduling', 'declarations'];
const OUTBOX_SCHEMAS = { intake: 'intake', 'practice-notification': 'practice_notification', 'clinic-scheduling': 'clinic_scheduling' };

function parameters() {
  return {
    arrivals: envInt('BENCH_ARRIVALS', 1000),
    concurrency: envInt('BENCH_CONCURRENCY', 16, { max: 256 }),
    latencySeconds: envInt('BENCH_LATENCY_SECONDS', 30, { max: 600 }),
    warmup: envInt('BENCH_WARMUP', 20),
    quietRate: envInt('BENCH_QUIET_RATE', 1, { max: 100 }),
    quietSeconds: envInt('BENCH_QUIET_SECONDS', 20, { min: 0, max: 600 }),
    phaseTimeoutMs: envInt('BENCH_PHASE_TIMEOUT_MS', 240_000),
    totalTimeoutMs: envInt('BENCH_TOTAL_TIMEOUT_MS', 480_000),
  };
}

const dayOffset = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const ms = (v) => round(v, 1);

async function run({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const params = parameters();
  return runBounded({ totalTimeoutMs: params.totalTimeoutMs, log, work: (cleanup) => measure(params, cleanup, log) });
}

async function measure(params, cleanup, log) {
  const { infra, kafkaLine, kafkaVersion } = await throwawayInfrastructure({ cleanup, log });
  const contracts = require('@draaiboek/contracts');
  const { sha256Hex } = require('@draaiboek/platform');
  const { Kafka, logLevel } = require('kafkajs');
  const { Pool } = require('pg');
  for (const s of Object.values(SERVICES)) {
    if (!fs.existsSync(path.join(ROOT, s.modulePath))) throw new Error(`${s.modulePath} is missing: build first (bench/run.js does)`);
  }

  const startedAt = new Date();
  const machine = machineInfo();
  const runId = crypto.randomBytes(4).toString('hex');
  const topicPrefix = `b${runId}.`;
  const { checks, check } = checkList(log);
  const kafkaPid = Number((/\(pid (\d+)/.exec(kafkaLine) || [])[1]) || null;

  // ---- services ------------------------------------------------------------------------------
  const catcher = startMailCatcherProcess({ log });
  cleanup.add('mail catcher', () => catcher.stop(), 30_000);
  const { smtpUrl } = await catcher.ready;
  const keys = { municipality: crypto.randomBytes(24).toString('base64url'), coordination: crypto.randomBytes(24).toString('base64url') };
  const env = {
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    LOG_LEVEL: 'warn',
    SMTP_URL: smtpUrl,
    API_KEYS: JSON.stringify([
      { id: 'bench-emmen', sha256: sha256Hex(keys.municipality), roles: ['municipality'], municipalityCode: MUNICIPALITY },
      { id: 'bench-coordination', sha256: sha256Hex(keys.coordination), roles: ['coordination'] },
    ]),
  };
  log('bench: starting the four services (own Node processes)...');
  const services = {};
  for (const [name, s] of Object.entries(SERVICES)) {
    services[name] = startServiceProcess({ label: name, modulePath: s.modulePath, exportName: s.exportName, options: { env, host: '127.0.0.1', port: 0 }, log });
    cleanup.add(`${name} service`, () => services[name].stop(), 40_000);
  }
  const urls = {};
  for (const [name, s] of Object.entries(services)) urls[name] = (await s.ready).url;
  log(`bench: services ready: ${Object.entries(services).map(([n, s]) => `${n} pid ${s.pid}`).join(', ')}`);

  const pool = new Pool({ connectionString: infra.databaseUrl, max: 2, application_name: 'draaiboek-bench-check' });
  cleanup.add('check pool', () => pool.end());
  const q = async (sql, args = []) => (await pool.query(sql, args)).rows;

  const versions = stackVersions({ kafkaVersion, postgresVersion: (await q('SELECT version() AS v'))[0].v });
  const pgSettings = Object.fromEntries(
    (await q(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections')`)).map((r) => [r.name, r.setting]),
  );

  // A socket timeout lets Node honour the servers' `Keep-Alive: timeout=5` (it frees an idle socket a
  // second before), instead of reusing one the server is closing (ECONNRESET after an idle phase).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 30_000 });
  cleanup.add('http agent', () => agent.destroy());
  const call = async (method, url, body, key, accept) => {
    const response = await httpRequest({
      method,
      url,
      agent,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    });
    if (!accept.includes(response.status)) throw new Error(`${method} ${new URL(url).pathname}: HTTP ${response.status} ${response.text.slice(0, 300)}`);
    return response.text ? JSON.parse(response.text) : null;
  };

  // ---- the directory (as npm start seeds it) ---------------------------------------------------
  for (const [file, pathname] of [['drenthe-practices.csv', '/v1/directory/practices'], ['drenthe-gps.csv', '/v1/directory/gps']]) {
    const csv = fs.readFileSync(path.join(SEED_DIR, file));
    const response = await httpRequest({ method: 'POST', url: `${urls['practice-notification']}${pathname}`, agent, body: csv, headers: { 'content-type': 'text/csv', authorization: `Bearer ${keys.coordination}` } });
    if (response.status !== 200) throw new Error(`import of ${file}: HTTP ${response.status} ${response.text.slice(0, 300)}`);
    const rows = csv.toString('utf8').trim().split('\n').length - 1;
    check(`${file} imported`, JSON.parse(response.text).accepted === rows, `${rows} rows`);
  }
  const practices = (await q('SELECT count(*)::int AS n FROM practice_notification.practices'))[0].n;
  await pollUntil(async () => {
    const n = (await q('SELECT count(*)::int AS n FROM clinic_scheduling.practices'))[0].n;
    return { done: n === practices, status: `${n} of ${practices} practices` };
  }, { intervalMs: 200, timeoutMs: 60_000, what: 'clinic-scheduling to know the directory' });
  const region = JSON.parse(fs.readFileSync(REGION_FILE, 'utf8'));
  const emmenPc4 = region.municipalities.find((m) => m.code === MUNICIPALITY).pc4;
  const coverage = new Map((await q('SELECT pc4, count(*)::int AS n FROM practice_notification.practice_catchment GROUP BY pc4')).map((r) => [r.pc4, r.n]));
  const pc4s = emmenPc4.filter((p) => coverage.get(p));
  check('the seed covers Emmen', pc4s.length > 0, `${pc4s.length} of ${emmenPc4.length} PC4 areas covered, ${fmt(pc4s.reduce((s, p) => s + coverage.get(p), 0) / pc4s.length, 2)} practices each on average`);
  await sleep(3000);
  const idleMemory = Object.fromEntries(Object.entries(services).map(([n, s]) => [n, memoryOf(s.pid)]));
  log(`bench: idle resident memory (MiB): ${Object.entries(idleMemory).map(([n, m]) => `${n} ${round(m.rssMiB, 0)}`).join(', ')}`);

  // ---- the observer and the actors ------------------------------------------------------------
  const kafka = new Kafka({ clientId: 'draaiboek-bench', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.ERROR, retry: { retries: 5 } });
  const topic = (t) => topicPrefix + t.name;
  const observed = [contracts.Topics.refugeeGroups, contracts.Topics.practiceNotifications, contracts.Topics.centralLocations, contracts.Topics.clinicSessions].map(topic);
  const arrivals = []; // index i -> state
  const records = []; // every record the observer saw: { eventId, service, timestamp, receivedAt }
  const actorErrors = [];
  const actorRequests = { decisions: 0, checklist: 0, cadence: 0 };
  const nameRe = new RegExp(`AZC ${runId} (\\d+)$`);
  const arrivalOf = (name) => {
    const m = nameRe.exec(name || '');
    return m ? arrivals[Number(m[1])] : undefined;
  };
  const actor = (fn) => fn().catch((error) => actorErrors.push(error.message));
  const onEvent = (envelope, receivedAt) => {
    const d = envelope.data;
    if (envelope.type === contracts.PracticeNotified.v1.type) {
      const a = arrivalOf(d.location && d.location.name);
      if (!a || d.reason !== 'arrival') return;
      a.notified += 1;
      if (a.notifiedAt !== null) return;
      a.notifiedAt = receivedAt;
      // The practice chooses a central location, at once.
      actor(async () => {
        actorRequests.decisions += 1;
        await call('POST', `${urls['practice-notification']}/v1/notifications/${d.notificationId}/decision`, { arrangement: 'central-location' }, keys.coordination, [201]);
      });
    } else if (envelope.type === contracts.CentralLocationOpened.v1.type) {
      const a = arrivalOf(d.name);
      if (!a) return;
      a.openedAt = receivedAt;
      // The coordination ticks the required checklist items and sets the cadence, at once.
      actor(async () => {
        const base = `${urls['clinic-scheduling']}/v1/central-locations/${d.centralLocationId}`;
        await Promise.all(
          REQUIRED_ITEMS.map((item) => {
            actorRequests.checklist += 1;
            return call('POST', `${base}/checklist/${item}/done`, {}, keys.coordination, [200]);
          }),
        );
        actorRequests.cadence += 1;
        const result = await call('PUT', `${base}/cadence`, { weekdays: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '11:00', from: dayOffset(1), weeks: 1 }, keys.coordination, [200]);
        if (result.scheduled.length !== SESSIONS_PER_ARRIVAL) throw new Error(`cadence of arrival ${a.i}: ${result.scheduled.length} sessions scheduled`);
      });
    } else if (envelope.type === contracts.SessionScheduled.v1.type) {
      const a = arrivalOf(d.locationName);
      if (!a) return;
      a.sessions += 1;
      if (d.capacity === Math.ceil(a.headcount * 0.05)) a.capacityFromHeadcount += 1;
      if (a.sessionAt === null) a.sessionAt = receivedAt;
    }
  };
  const observer = kafka.consumer({ groupId: `draaiboek-bench-observer-${runId}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  await observer.connect();
  cleanup.add('observer', () => observer.disconnect());
  const joined = new Promise((resolve) => observer.on(observer.events.GROUP_JOIN, resolve));
  await observer.subscribe({ topics: observed, fromBeginning: true });
  const serviceOfTopic = (t) => (t.includes('intake.') ? 'intake' : t.includes('practice-notification.') ? 'practice-notification' : 'clinic-scheduling');
  await observer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch }) => {
      const receivedAt = Date.now();
      for (const message of batch.messages) {
        let envelope;
        try {
          envelope = JSON.parse(message.value.toString('utf8'));
        } catch {
          continue;
        }
        records.push({ eventId: envelope.id, service: serviceOfTopic(batch.topic), timestamp: Number(message.timestamp), receivedAt });
        onEvent(envelope, receivedAt);
      }
    },
  });
  await joined;

  // ---- load ------------------------------------------------------------------------------------
  const arrive = async (i, phase) => {
    const pc4 = pc4s[i % pc4s.length];
    const a = { i, phase, pc4, headcount: 10 + (i % 190), t0: null, answeredAt: null, notified: 0, notifiedAt: null, openedAt: null, sessions: 0, sessionAt: null, capacityFromHeadcount: 0 };
    arrivals[i] = a;
    a.t0 = Date.now();
    const body = await call(
      'POST',
      `${urls.intake}/v1/arrivals`,
      { reference: `PIPE-${runId}-${i}`, municipalityCode: MUNICIPALITY, location: { name: `AZC ${runId} ${i}`, postcode: `${pc4} AA`, kind: 'reception-centre' }, headcount: a.headcount, arrivalDate: dayOffset(0) },
      keys.municipality,
      [202],
    );
    a.answeredAt = Date.now();
    a.groupId = body.groupId;
  };
  let nextIndex = 0;
  const closedLoop = async (count, concurrency, phase) => {
    const end = nextIndex + count;
    const worker = async () => {
      while (nextIndex < end) await arrive(nextIndex++, phase);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  const openLoop = async (rate, seconds, phase) => {
    const started = Date.now();
    const count = Math.max(1, Math.round(rate * seconds));
    const pending = [];
    let maxLateMs = 0;
    for (let k = 0; k < count; k += 1) {
      const due = started + (k * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      maxLateMs = Math.max(maxLateMs, Date.now() - due);
      pending.push(arrive(nextIndex++, phase));
    }
    await Promise.all(pending);
    return { count, maxLateMs };
  };

  const counts = async () =>
    (
      await q(`SELECT
        (SELECT count(*)::int FROM intake.refugee_groups) AS groups,
        (SELECT count(*)::int FROM practice_notification.arrived_groups) AS pn_groups,
        (SELECT count(*)::int FROM practice_notification.notifications WHERE reason = 'arrival') AS notifications,
        (SELECT count(*)::int FROM practice_notification.notifications WHERE arrangement IS NOT NULL) AS decided,
        (SELECT count(*)::int FROM practice_notification.mail_outbox) AS mails,
        (SELECT count(*)::int FROM practice_notification.mail_outbox WHERE status <> 'sent') AS unsent,
        (SELECT count(*)::int FROM clinic_scheduling.known_groups) AS cs_groups,
        (SELECT count(*)::int FROM clinic_scheduling.central_locations) AS locations,
        (SELECT count(*)::int FROM clinic_scheduling.sessions) AS sessions,
        (SELECT count(*)::int FROM declarations.declarable_sessions) AS declarable,
        (SELECT count(*)::int FROM intake.outbox WHERE published_at IS NULL)
          + (SELECT count(*)::int FROM practice_notification.outbox WHERE published_at IS NULL)
          + (SELECT count(*)::int FROM clinic_scheduling.outbox WHERE published_at IS NULL) AS unpublished`)
    )[0];
  /** Waits until every durable effect of every arrival so far is in place; returns the stage times. */
  const settle = async (what, since) => {
    const n = nextIndex;
    const expectedNotifications = arrivals.slice(0, n).reduce((s, a) => s + coverage.get(a.pc4), 0);
    const stages = {};
    const mark = (stage, ok) => {
      if (ok && stages[stage] === undefined) stages[stage] = Date.now() - since;
    };
    let lastLog = Date.now();
    const result = await pollUntil(
      async () => {
        const c = await counts();
        const seen = arrivals.slice(0, n);
        mark('intake', c.groups === n);
        mark('practice-notification', c.pn_groups === n && c.notifications === expectedNotifications);
        mark('decisions', c.decided === n);
        mark('clinic-scheduling', c.cs_groups === n && c.sessions === SESSIONS_PER_ARRIVAL * n);
        mark('declarations', c.declarable === SESSIONS_PER_ARRIVAL * n);
        mark('mail', c.unsent === 0 && catcher.messages.length === c.mails && c.mails > 0);
        const observedAll = seen.every((a) => a.notified === coverage.get(a.pc4) && a.sessions === SESSIONS_PER_ARRIVAL);
        mark('observer', observedAll);
        const done =
          c.groups === n && c.pn_groups === n && c.notifications === expectedNotifications && c.decided === n && c.cs_groups === n && c.locations === n &&
          c.sessions === SESSIONS_PER_ARRIVAL * n && c.declarable === SESSIONS_PER_ARRIVAL * n && c.unsent === 0 && c.unpublished === 0 &&
          catcher.messages.length === c.mails && observedAll;
        if (actorErrors.length) throw new Error(`an actor's request failed: ${actorErrors[0]}`);
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(`bench: ${what}: ${JSON.stringify(c)}, mails accepted ${catcher.messages.length}`);
        }
        return { done, counts: c, status: JSON.stringify(c) };
      },
      { intervalMs: 100, timeoutMs: params.phaseTimeoutMs, what },
    );
    return { doneMs: Date.now() - since, stages, counts: result.counts };
  };

  const cpuGroups = {
    ...Object.fromEntries(Object.entries(services).map(([n, s]) => [n, () => [s.pid]])),
    'mail catcher': () => [catcher.pid],
    'benchmark (load, actors, observer)': () => [process.pid],
    PostgreSQL: () => pidsNamed('postgres'),
    'Kafka broker': () => (kafkaPid ? [kafkaPid] : []),
  };
  const peaks = Object.fromEntries(Object.keys(services).map((n) => [n, 0]));
  const memoryTimer = setInterval(() => {
    for (const [n, s] of Object.entries(services)) peaks[n] = Math.max(peaks[n], memoryOf(s.pid).rssMiB);
  }, 200);
  cleanup.add('memory sampler', () => clearInterval(memoryTimer));

  // What the services logged while starting on a fresh broker (kafkajs retries a group
  // coordinator that is still loading, and logs that as an error): reported, not judged.
  const startupErrors = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.errorLines().length]));

  // ---- warm-up (not counted) -------------------------------------------------------------------
  log(`bench: warm-up: ${params.warmup} arrivals through the whole chain...`);
  await closedLoop(params.warmup, 2, 'warm-up');
  await settle('the warm-up', Date.now());
  // What the idle system costs (pollers, consumers' fetch loops, the broker), per second.
  const cpuIdle = cpuMeter(cpuGroups);
  await sleep(5000);
  const cpuIdleUse = cpuIdle.stop();
  log(`bench: idle, 5 s: ${cpuLine(cpuIdleUse)}`);

  // ---- A. throughput ---------------------------------------------------------------------------
  const xidNow = async () => Number((await q('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x'))[0].x);
  const rowsNow = async () => {
    const tables = await q(`SELECT schemaname, relname FROM pg_stat_user_tables WHERE schemaname = ANY($1::text[])`, [SCHEMAS]);
    let total = 0;
    for (const t of tables) total += (await q(`SELECT count(*)::int AS n FROM "${t.schemaname}"."${t.relname}"`))[0].n;
    return total;
  };
  const topicBytesAndRecords = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      let recordsTotal = 0;
      for (const t of contracts.ALL_TOPICS.map(topic)) {
        try {
          recordsTotal += (await admin.fetchTopicOffsets(t)).reduce((s, p) => s + Number(p.high), 0);
        } catch {
          // a topic nobody created
        }
      }
      return recordsTotal;
    } finally {
      await admin.disconnect();
    }
  };
  const before = { xid: await xidNow(), rows: await rowsNow(), records: await topicBytesAndRecords() };
  log(`bench: A. ${params.arrivals} arrivals, ${params.concurrency} at a time, actors answering at once...`);
  const cpuA = cpuMeter(cpuGroups);
  const startA = Date.now();
  const firstA = nextIndex;
  await closedLoop(params.arrivals, params.concurrency, 'A');
  const acceptedAMs = Date.now() - startA;
  const settledA = await settle('phase A', startA);
  const cpuAUse = cpuA.stop();
  const after = { xid: await xidNow(), rows: await rowsNow(), records: await topicBytesAndRecords() };
  const arrivalsA = arrivals.slice(firstA, nextIndex);
  const rateA = (1000 * params.arrivals) / settledA.doneMs;
  const perArrival = {
    writeTransactions: (after.xid - before.xid) / params.arrivals,
    rows: (after.rows - before.rows) / params.arrivals,
    records: (after.records - before.records) / params.arrivals,
  };
  const httpA = latencySummary(arrivalsA.map((a) => a.answeredAt - a.t0));
  log(`bench: A: ${fmt(rateA, 1)} arrivals/s end to end (all accepted after ${acceptedAMs} ms, everything in place after ${settledA.doneMs} ms; stages ${JSON.stringify(settledA.stages)})`);
  log(`bench: A: ${cpuLine(cpuAUse)}`);
  log(`bench: A: per arrival ${fmt(perArrival.writeTransactions, 1)} write transactions, ${fmt(perArrival.rows, 1)} rows added, ${fmt(perArrival.records, 1)} Kafka records`);

  // Mean size of the records the pipeline produced in phase A, for the Kafka baseline.
  const meanRecordBytes = round(
    (await q(`SELECT avg(octet_length(envelope::text))::float AS b FROM (
                SELECT envelope FROM intake.outbox UNION ALL SELECT envelope FROM practice_notification.outbox UNION ALL SELECT envelope FROM clinic_scheduling.outbox) o`))[0].b,
    0,
  );

  // ---- B. latency at half the rate; C. the same at a quiet rate ----------------------------------
  const latencyAt = async (label, rate, seconds) => {
    log(`bench: ${label}. latency: ${fmt(rate, 1)} arrivals/s for ${seconds} s...`);
    const meter = cpuMeter(cpuGroups);
    const start = Date.now();
    const first = nextIndex;
    const paced = await openLoop(rate, seconds, label);
    const settled = await settle(`phase ${label}`, start);
    const cpu = meter.stop();
    const end = Date.now();
    const mine = arrivals.slice(first, nextIndex);
    const out = {
      rate: round(rate, 1),
      arrivals: mine.length,
      maxLateMs: paced.maxLateMs,
      settledMs: settled.doneMs,
      http: latencySummary(mine.map((a) => a.answeredAt - a.t0)),
      notified: latencySummary(mine.map((a) => a.notifiedAt - a.t0)),
      opened: latencySummary(mine.map((a) => a.openedAt - a.t0)),
      scheduled: latencySummary(mine.map((a) => a.sessionAt - a.t0)),
    };
    // Relay per hop, from this phase's records: outbox created_at -> record timestamp / received.
    const outboxRows = new Map();
    for (const [service, schema] of Object.entries(OUTBOX_SCHEMAS)) {
      const rows = await q(`SELECT event_id::text AS id, (extract(epoch FROM created_at) * 1000)::float8 AS created FROM "${schema}".outbox WHERE created_at >= to_timestamp($1 / 1000.0)`, [start]);
      for (const r of rows) outboxRows.set(r.id, { service, created: r.created });
    }
    const hops = { all: { sent: [], received: [] } };
    for (const r of records) {
      const o = outboxRows.get(r.eventId);
      if (!o || r.receivedAt > end) continue;
      for (const key of ['all', o.service]) {
        hops[key] = hops[key] || { sent: [], received: [] };
        hops[key].sent.push(r.timestamp - o.created);
        hops[key].received.push(r.receivedAt - o.created);
      }
    }
    out.hops = Object.fromEntries(Object.entries(hops).map(([k, v]) => [k, { sent: latencySummary(v.sent), received: latencySummary(v.received) }]));
    log(`bench: ${label}: ${cpuLine(cpu)}`);
    log(`bench: ${label}: arrival -> PracticeNotified p50 ${ms(out.notified.p50)} p99 ${ms(out.notified.p99)} ms; -> SessionScheduled p50 ${ms(out.scheduled.p50)} p99 ${ms(out.scheduled.p99)} ms; hop p50 ${ms(out.hops.all.received.p50)} p99 ${ms(out.hops.all.received.p99)} ms`);
    return { out, cpu, mine };
  };
  const rateB = Math.max(1, rateA / 2);
  const phaseB = await latencyAt('B', rateB, params.latencySeconds);
  const arrivalsB = phaseB.mine;
  const cpuBUse = phaseB.cpu;
  const hopSummary = phaseB.out.hops;
  const phaseC = params.quietSeconds > 0 ? await latencyAt('C', params.quietRate, params.quietSeconds) : null;

  // ---- A baselines (after B, so their writes and the vacuum after them do not load B) ------------
  log('bench: A baseline (raw pg)...');
  await q('CREATE SCHEMA bench_baseline');
  await q('CREATE TABLE bench_baseline.rows (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), payload jsonb NOT NULL)');
  const payload = JSON.stringify({ filler: 'x'.repeat(Math.max(0, meanRecordBytes - 14)) });
  const rawTransactions = Math.round(perArrival.writeTransactions * params.arrivals);
  const rowsPerTx = perArrival.rows / perArrival.writeTransactions;
  const rawPool = new Pool({ connectionString: infra.databaseUrl, max: params.concurrency, application_name: 'draaiboek-bench-raw' });
  cleanup.add('raw pool', () => rawPool.end());
  const rawTx = async (rows) => {
    const client = await rawPool.connect();
    try {
      await client.query('BEGIN');
      for (let r = 0; r < rows; r += 1) await client.query('INSERT INTO bench_baseline.rows (payload) VALUES ($1)', [payload]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  const rowsOfTx = (k) => Math.max(1, Math.round((k + 1) * rowsPerTx) - Math.round(k * rowsPerTx));
  await Promise.all(Array.from({ length: params.concurrency }, (_, k) => rawTx(rowsOfTx(k)))); // connections open
  const cpuRaw = cpuMeter(cpuGroups);
  const rawStart = Date.now();
  let nextTx = 0;
  let rawRows = 0;
  await Promise.all(
    Array.from({ length: params.concurrency }, async () => {
      while (nextTx < rawTransactions) {
        const rows = rowsOfTx(nextTx++);
        rawRows += rows;
        await rawTx(rows);
      }
    }),
  );
  const rawMs = Date.now() - rawStart;
  const cpuRawUse = cpuRaw.stop();
  const rawRate = (1000 * params.arrivals) / rawMs;
  log(`bench: raw pg: ${rawTransactions} transactions, ${rawRows} rows in ${rawMs} ms: ${fmt(rawRate, 0)} arrivals/s equivalent`);

  log('bench: A baseline (raw kafkajs)...');
  const scratchTopic = `${topicPrefix}bench.baseline`;
  const admin = kafka.admin();
  await admin.connect();
  cleanup.add('kafka admin', () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: scratchTopic, numPartitions: 6 }, { topic: `${topicPrefix}bench.chain`, numPartitions: 6 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  cleanup.add('producer', () => producer.disconnect());
  const rawRecords = Math.round(perArrival.records * params.arrivals);
  const value = Buffer.from(payload);
  let consumedRaw = 0;
  let rawConsumed;
  const rawDone = new Promise((resolve) => (rawConsumed = resolve));
  const rawConsumer = kafka.consumer({ groupId: `draaiboek-bench-raw-${runId}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  await rawConsumer.connect();
  cleanup.add('raw consumer', () => rawConsumer.disconnect());
  const rawJoined = new Promise((resolve) => rawConsumer.on(rawConsumer.events.GROUP_JOIN, resolve));
  await rawConsumer.subscribe({ topic: scratchTopic, fromBeginning: true });
  await rawConsumer.run({
    eachBatch: async ({ batch }) => {
      consumedRaw += batch.messages.length;
      if (consumedRaw >= rawRecords) rawConsumed();
    },
  });
  await rawJoined;
  const kafkaStart = Date.now();
  for (let k = 0; k < rawRecords; k += 100) {
    const messages = Array.from({ length: Math.min(100, rawRecords - k) }, (_, j) => ({ key: `k${(k + j) % params.arrivals}`, value }));
    await producer.send({ topic: scratchTopic, acks: -1, messages });
  }
  await Promise.race([rawDone, sleep(120_000)]);
  const kafkaMs = Date.now() - kafkaStart;
  check('raw kafkajs baseline read every record', consumedRaw >= rawRecords, `${consumedRaw} of ${rawRecords}`);
  const kafkaRate = (1000 * params.arrivals) / kafkaMs;
  log(`bench: raw kafkajs: ${rawRecords} records of ${meanRecordBytes} B produced and consumed in ${kafkaMs} ms: ${fmt(kafkaRate, 0)} arrivals/s equivalent`);

  // ---- B baseline: the same sequential transactions and hops, by hand --------------------------
  const chainCount = Math.max(20, Math.min(arrivalsB.length, Math.round(rateB * 15)));
  log(`bench: B baseline: ${chainCount} hand-written chains at ${fmt(rateB, 1)}/s...`);
  // Sequential steps of the real chain: tx = one transaction (several at once count once), hop = Kafka.
  const CHAIN = ['tx', 'hop', 'tx', 'hop:notified', 'tx', 'hop', 'tx', 'hop', 'tx', 'tx', 'hop:scheduled'];
  const rowsPerStep = Math.max(1, Math.round(rowsPerTx));
  const chains = [];
  const chainTopic = `${topicPrefix}bench.chain`;
  const advance = async (i, from) => {
    for (let s = from; s < CHAIN.length; s += 1) {
      if (CHAIN[s] === 'tx') {
        await rawTx(rowsPerStep);
        continue;
      }
      await producer.send({ topic: chainTopic, acks: -1, messages: [{ key: String(i), value: JSON.stringify({ i, step: s }) }] });
      return;
    }
  };
  let chainsDone;
  const allChains = new Promise((resolve) => (chainsDone = resolve));
  let finished = 0;
  const chainConsumer = kafka.consumer({ groupId: `draaiboek-bench-chain-${runId}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  await chainConsumer.connect();
  cleanup.add('chain consumer', () => chainConsumer.disconnect());
  const chainJoined = new Promise((resolve) => chainConsumer.on(chainConsumer.events.GROUP_JOIN, resolve));
  await chainConsumer.subscribe({ topic: chainTopic, fromBeginning: true });
  await chainConsumer.run({
    partitionsConsumedConcurrently: 6,
    eachMessage: async ({ message }) => {
      const at = Date.now();
      const { i, step } = JSON.parse(message.value.toString('utf8'));
      const c = chains[i];
      if (CHAIN[step] === 'hop:notified') c.notifiedAt = at;
      if (CHAIN[step] === 'hop:scheduled') {
        c.sessionAt = at;
        if (++finished === chainCount) chainsDone();
        return;
      }
      await advance(i, step + 1);
    },
  });
  await chainJoined;
  const cpuChain = cpuMeter(cpuGroups);
  const chainStart = Date.now();
  for (let i = 0; i < chainCount; i += 1) {
    const due = chainStart + (i * 1000) / rateB;
    if (due > Date.now()) await sleep(due - Date.now());
    chains[i] = { t0: Date.now(), notifiedAt: null, sessionAt: null };
    advance(i, 0).catch((error) => actorErrors.push(`baseline chain: ${error.message}`));
  }
  await Promise.race([allChains, sleep(120_000)]);
  const cpuChainUse = cpuChain.stop();
  check('every hand-written chain finished', finished === chainCount, `${finished} of ${chainCount}`);
  const chainNotified = latencySummary(chains.map((c) => c.notifiedAt - c.t0));
  const chainSession = latencySummary(chains.map((c) => c.sessionAt - c.t0));
  log(`bench: baseline chain: -> notified p50 ${ms(chainNotified.p50)} p99 ${ms(chainNotified.p99)} ms; -> scheduled p50 ${ms(chainSession.p50)} p99 ${ms(chainSession.p99)} ms`);
  clearInterval(memoryTimer);
  const memory = Object.fromEntries(
    Object.entries(services).map(([n, s]) => {
      const m = memoryOf(s.pid);
      // What the highest resident set was made of, as the service's own process.memoryUsage() saw it.
      const u = s.memoryPeak.usage;
      const mib = (bytes) => round(bytes / 1024 / 1024, 0);
      const atPeak = u ? { rssMiB: mib(u.rss), heapUsedMiB: mib(u.heapUsed), heapTotalMiB: mib(u.heapTotal), externalMiB: mib(u.external), arrayBuffersMiB: mib(u.arrayBuffers) } : null;
      return [n, { idleMiB: round(idleMemory[n].rssMiB, 0), peakUnderLoadMiB: round(peaks[n], 0), hwmMiB: round(m.peakMiB, 0), endMiB: round(m.rssMiB, 0), atPeak }];
    }),
  );

  // ---- checks ----------------------------------------------------------------------------------
  const c = await counts();
  const n = nextIndex;
  check('every arrival accepted (202) and stored by intake', arrivals.every((a) => a.groupId) && c.groups === n, `${n} arrivals, ${c.groups} groups`);
  check('practice-notification: every group, every notification', c.pn_groups === n && c.notifications === arrivals.reduce((s, a) => s + coverage.get(a.pc4), 0), `${c.pn_groups} groups, ${c.notifications} notifications`);
  check('one decision per arrival', c.decided === n && actorRequests.decisions === n, `${c.decided} decided, ${actorRequests.decisions} requests`);
  check("clinic-scheduling's copy of every group", c.cs_groups === n, `${c.cs_groups}`);
  check('one central location and five sessions per arrival', c.locations === n && c.sessions === SESSIONS_PER_ARRIVAL * n, `${c.locations} locations, ${c.sessions} sessions`);
  check('declarations recorded every session', c.declarable === SESSIONS_PER_ARRIVAL * n, `${c.declarable}`);
  check('every outbox row published', c.unpublished === 0, `${c.unpublished} unpublished`);
  check('every mail sent and accepted by the catcher', c.unsent === 0 && catcher.messages.length === c.mails, `${c.mails} mails, ${catcher.messages.length} accepted`);
  check('the observer saw every PracticeNotified and SessionScheduled', arrivals.every((a) => a.notified === coverage.get(a.pc4) && a.sessions === SESSIONS_PER_ARRIVAL), `${arrivals.length} arrivals`);
  const dlq = [];
  for (const t of contracts.ALL_TOPICS.map((x) => contracts.deadLetterTopicOf(topic(x)))) {
    try {
      const r = (await admin.fetchTopicOffsets(t)).reduce((s, p) => s + Number(p.high), 0);
      if (r) dlq.push(`${t}: ${r}`);
    } catch {
      // never created: nothing dead-lettered there
    }
  }
  check('nothing dead-lettered', dlq.length === 0, dlq.length ? dlq.join(', ') : `${contracts.ALL_TOPICS.length} dead-letter topics empty`);
  const errorLines = Object.entries(services).flatMap(([name, s]) => s.errorLines().slice(startupErrors[name]).map((l) => `${name}: ${l}`));
  check('no error logged by any service after start-up', errorLines.length === 0, errorLines.length ? errorLines.slice(0, 3).join(' | ').slice(0, 600) : 'none');
  check('no actor request refused', actorErrors.length === 0, actorErrors.length ? actorErrors[0] : `${actorRequests.decisions} decisions, ${actorRequests.checklist} checklist items, ${actorRequests.cadence} cadences`);
  const warnLines = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.warnLines().length]));
  const capacityFromHeadcount = arrivals.reduce((s, a) => s + a.capacityFromHeadcount, 0);

  const cpuOf = (use, seconds) => ({ ...use, perArrivalMs: Object.fromEntries(Object.entries(use.cpuSeconds).map(([k, v]) => [k, v === null ? null : round((1000 * v) / seconds, 2)])) });
  const result = {
    name: NAME,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    params,
    machine,
    versions,
    pgSettings,
    measures: {
      throughput: { arrivals: params.arrivals, arrivalsPerSecond: round(rateA, 1), doneMs: settledA.doneMs, acceptedMs: acceptedAMs, stages: settledA.stages, http: httpA, perArrival: mapRound(perArrival), meanRecordBytes },
      rawPg: { transactions: rawTransactions, rows: rawRows, ms: rawMs, arrivalsPerSecond: round(rawRate, 1) },
      rawKafka: { records: rawRecords, ms: kafkaMs, arrivalsPerSecond: round(kafkaRate, 1) },
      latency: phaseB.out,
      quiet: phaseC ? phaseC.out : null,
      chain: { count: chainCount, steps: CHAIN, rowsPerStep, notified: chainNotified, scheduled: chainSession },
      hops: hopSummary,
      memory,
    },
    cpu: { idle5s: cpuIdleUse, A: cpuOf(cpuAUse, params.arrivals), rawPg: cpuRawUse, B: cpuOf(cpuBUse, arrivalsB.length), C: phaseC ? phaseC.cpu : null, chain: cpuChainUse },
    disturbed: disturbedPhases({ A: cpuAUse, B: cpuBUse }),
    warnLines,
    startupErrors,
    capacityFromHeadcount: { sessions: capacityFromHeadcount, of: SESSIONS_PER_ARRIVAL * n },
    actorRequests,
    checks,
  };
  return result;
}

function mapRound(o, digits = 2) {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, digits)]));
}

const ratio = (value, baseline) => (baseline ? `${fmt(value / baseline, 2)}×` : 'n/a');
const met = (ok) => (ok ? 'met' : '**not met**');

function targets(r) {
  const m = r.measures;
  const peak = Math.max(...Object.values(m.memory).map((x) => Math.max(x.peakUnderLoadMiB, x.hwmMiB)));
  return {
    rate: m.throughput.arrivalsPerSecond >= TARGETS.arrivalsPerSecond,
    session: m.latency.scheduled.p99 < TARGETS.sessionP99Ms,
    hop: m.hops.all.received.p99 < TARGETS.hopP99Ms,
    memory: peak <= TARGETS.memoryMiB,
    peak,
  };
}

function tableRows(r) {
  const m = r.measures;
  const l = m.latency;
  return [
    { measure: 'arrivals/s, every durable effect (A)', pipeline: fmt(m.throughput.arrivalsPerSecond, 1), baseline: `raw pg ${fmt(m.rawPg.arrivalsPerSecond, 0)} / raw kafkajs ${fmt(m.rawKafka.arrivalsPerSecond, 0)}`, ratio: `${ratio(m.throughput.arrivalsPerSecond, m.rawPg.arrivalsPerSecond)} / ${ratio(m.throughput.arrivalsPerSecond, m.rawKafka.arrivalsPerSecond)}` },
    { measure: `arrival -> PracticeNotified p50/p99 ms (B, ${fmt(l.rate, 1)}/s)`, pipeline: `${ms(l.notified.p50)} / ${ms(l.notified.p99)}`, baseline: `chain ${ms(m.chain.notified.p50)} / ${ms(m.chain.notified.p99)}`, ratio: `${ratio(l.notified.p50, m.chain.notified.p50)} / ${ratio(l.notified.p99, m.chain.notified.p99)}` },
    { measure: 'arrival -> SessionScheduled p50/p99 ms (B)', pipeline: `${ms(l.scheduled.p50)} / ${ms(l.scheduled.p99)}`, baseline: `chain ${ms(m.chain.scheduled.p50)} / ${ms(m.chain.scheduled.p99)}`, ratio: `${ratio(l.scheduled.p50, m.chain.scheduled.p50)} / ${ratio(l.scheduled.p99, m.chain.scheduled.p99)}` },
    { measure: 'relay hop: outbox row -> received p50/p99 ms (B)', pipeline: `${ms(m.hops.all.received.p50)} / ${ms(m.hops.all.received.p99)}`, baseline: `target p99 < ${TARGETS.hopP99Ms}`, ratio: '' },
    ...Object.entries(m.memory).map(([name, x]) => ({ measure: `${name} resident MiB idle / peak`, pipeline: `${x.idleMiB} / ${Math.max(x.peakUnderLoadMiB, x.hwmMiB)}`, baseline: `target <= ${TARGETS.memoryMiB}`, ratio: '' })),
  ];
}

function cpuLine(use) {
  const d = use.otherDetail;
  const other = d ? ` (of which interrupts ${fmt(d.interruptSeconds, 2)}; busiest other processes: ${d.processes.map((x) => `${x.comm} ${fmt(x.seconds, 2)}`).join(', ') || 'none'})` : '';
  return `machine ${fmt(use.machineBusyPercent, 1)} % busy; CPU s: ${Object.entries(use.cpuSeconds).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ')}${other}`;
}

function markdown(r) {
  const { params: p, machine: mc, versions: v, measures: m } = r;
  const t = targets(r);
  const l = m.latency;
  const stages = Object.entries(m.throughput.stages).sort((a, b) => a[1] - b[1]).map(([k, x]) => `${k} ${fmt(x / 1000, 1)} s`).join(', ');
  const hopRows = Object.entries(m.hops)
    .filter(([k]) => k !== 'all')
    .map(([k, x]) => `${k} (${x.received.count} records): sent p50 ${ms(x.sent.p50)} / p99 ${ms(x.sent.p99)} ms, received p50 ${ms(x.received.p50)} / p99 ${ms(x.received.p99)} ms`);
  const lines = [
    `_Generated by \`npm run bench -- ${NAME}\` on ${r.finishedAt.slice(0, 10)} (commit ${v.git}); the next run rewrites this section, except the hand-written part under "${HAND_WRITTEN_MARKER.replace(/^#+ /, '')}"._`,
    '',
    'One run, one local Apache Kafka broker and one scratch database on 127.0.0.1; the four services, the mail catcher and the benchmark each in their own Node process; the directory is the demo seed (`npm start`). Every arrival is at its own reception location in Emmen and goes the whole way: intake -> practice-notification (notifications, e-mails, PracticeNotified) -> the practice chooses a central location -> clinic-scheduling opens it -> the coordination ticks the three required checklist items and sets a cadence (weekdays, one week) -> five SessionScheduled -> declarations. **The three human steps are played by the benchmark over the real HTTP APIs the moment it sees the event that asks for them** (a coordination key decides for the practice), so the latencies below are the system\'s share of the chain, with people answering in zero time. Events are read with a plain kafkajs consumer; latencies run from the start of the arrival\'s HTTP request to the local receive time of the event.',
    '',
    '| Measure | Pipeline | Baseline (same run) | Ratio | Target |',
    '| --- | ---: | --- | ---: | --- |',
    `| Arrivals per second with every durable effect (N=${fmt(p.arrivals, 0)}, C=${p.concurrency}, first request -> last effect) | ${fmt(m.throughput.arrivalsPerSecond, 1)} /s | raw pg, the same ${fmt(m.throughput.perArrival.writeTransactions, 1)} write transactions and ${fmt(m.throughput.perArrival.rows, 1)} rows per arrival, ${p.concurrency} connections: ${fmt(m.rawPg.arrivalsPerSecond, 0)} /s | ${ratio(m.throughput.arrivalsPerSecond, m.rawPg.arrivalsPerSecond)} | >= ${fmt(TARGETS.arrivalsPerSecond, 0)} /s: ${met(t.rate)} |`,
    `| Same, against Kafka alone | ${fmt(m.throughput.arrivalsPerSecond, 1)} /s | raw kafkajs, the same ${fmt(m.throughput.perArrival.records, 1)} records of ${m.throughput.meanRecordBytes} B per arrival, produced (acks=all) and consumed: ${fmt(m.rawKafka.arrivalsPerSecond, 0)} /s | ${ratio(m.throughput.arrivalsPerSecond, m.rawKafka.arrivalsPerSecond)} | |`,
    `| Arrival -> PracticeNotified, p50 (${fmt(l.rate, 1)} arrivals/s for ${p.latencySeconds} s) | ${ms(l.notified.p50)} ms | hand-written chain, 2 transactions and 2 Kafka hops: ${ms(m.chain.notified.p50)} ms | ${ratio(l.notified.p50, m.chain.notified.p50)} | |`,
    `| Arrival -> PracticeNotified, p99 | ${ms(l.notified.p99)} ms | same chain: ${ms(m.chain.notified.p99)} ms | ${ratio(l.notified.p99, m.chain.notified.p99)} | |`,
    `| Arrival -> SessionScheduled, p50 | ${ms(l.scheduled.p50)} ms | hand-written chain, 6 sequential transactions and 5 Kafka hops: ${ms(m.chain.scheduled.p50)} ms | ${ratio(l.scheduled.p50, m.chain.scheduled.p50)} | |`,
    `| Arrival -> SessionScheduled, p99 | ${ms(l.scheduled.p99)} ms | same chain: ${ms(m.chain.scheduled.p99)} ms | ${ratio(l.scheduled.p99, m.chain.scheduled.p99)} | < ${TARGETS.sessionP99Ms} ms: ${met(t.session)} |`,
    ...(m.quiet
      ? [
          `| Same at a quiet ${fmt(m.quiet.rate, 0)} arrival/s (${m.quiet.arrivals} arrivals, p99 ≈ max): arrival -> PracticeNotified p50 / p99 | ${ms(m.quiet.notified.p50)} / ${ms(m.quiet.notified.p99)} ms | | | |`,
          `| Same at ${fmt(m.quiet.rate, 0)} arrival/s: arrival -> SessionScheduled p50 / p99 | ${ms(m.quiet.scheduled.p50)} / ${ms(m.quiet.scheduled.p99)} ms | | | < ${TARGETS.sessionP99Ms} ms: ${met(m.quiet.scheduled.p99 < TARGETS.sessionP99Ms)} (not the issue's load) |`,
          `| Same at ${fmt(m.quiet.rate, 0)} arrival/s: relay per hop p50 / p99 (${m.quiet.hops.all.received.count} records) | ${ms(m.quiet.hops.all.received.p50)} / ${ms(m.quiet.hops.all.received.p99)} ms | | | p99 < ${TARGETS.hopP99Ms} ms: ${met(m.quiet.hops.all.received.p99 < TARGETS.hopP99Ms)} (not the issue's load) |`,
        ]
      : []),
    `| Relay per hop: outbox row created -> record received, p50 / p99 (${m.hops.all.received.count} records of phase B) | ${ms(m.hops.all.received.p50)} / ${ms(m.hops.all.received.p99)} ms | | | p99 < ${TARGETS.hopP99Ms} ms: ${met(t.hop)} |`,
    ...Object.entries(m.memory).map(([name, x]) => `| ${name}: resident memory idle / peak under load | ${x.idleMiB} / ${Math.max(x.peakUnderLoadMiB, x.hwmMiB)} MiB | | | <= ${TARGETS.memoryMiB} MiB: ${met(Math.max(x.peakUnderLoadMiB, x.hwmMiB) <= TARGETS.memoryMiB)} |`),
    '',
    '**While measuring**',
    '',
    ...(r.cpu.idle5s ? [`- Idle, after the warm-up (5 s, no arrivals): ${cpuLine(r.cpu.idle5s)}.`] : []),
    `- A (throughput): intake accepted all ${fmt(p.arrivals, 0)} arrivals in ${fmt(m.throughput.acceptedMs / 1000, 1)} s (HTTP p50 ${ms(m.throughput.http.p50)} ms, p99 ${ms(m.throughput.http.p99)} ms); every effect was in place after ${fmt(m.throughput.doneMs / 1000, 1)} s. Each stage complete after: ${stages}. ${cpuLine(r.cpu.A)}.`,
    `- A, CPU per arrival (ms): ${Object.entries(r.cpu.A.perArrivalMs).map(([k, x]) => `${k} ${fmt(x, 2)}`).join(', ')}.`,
    `- A, per arrival: ${fmt(m.throughput.perArrival.writeTransactions, 1)} write transactions (transaction ids used), ${fmt(m.throughput.perArrival.rows, 1)} rows added (updates, such as marking outbox and mail rows, are in the transactions but not in the rows), ${fmt(m.throughput.perArrival.records, 1)} Kafka records.`,
    `- Raw pg baseline: ${fmt(m.rawPg.transactions, 0)} transactions, ${fmt(m.rawPg.rows, 0)} single-row INSERTs of ${m.throughput.meanRecordBytes} B jsonb into one table, in ${fmt(m.rawPg.ms / 1000, 2)} s; ${cpuLine(r.cpu.rawPg)}. Raw kafkajs baseline: ${fmt(m.rawKafka.records, 0)} records in ${fmt(m.rawKafka.ms / 1000, 2)} s (batches of 100, idempotent producer, one plain consumer).`,
    `- B (latency): ${l.arrivals} arrivals paced at ${fmt(l.rate, 1)}/s (at most ${fmt(l.maxLateMs, 0)} ms late); every effect in place ${fmt(l.settledMs / 1000, 1)} s after the first. HTTP p50 ${ms(l.http.p50)} / p99 ${ms(l.http.p99)} ms; arrival -> CentralLocationOpened p50 ${ms(l.opened.p50)} / p99 ${ms(l.opened.p99)} ms; max to PracticeNotified ${ms(l.notified.max)} ms, to SessionScheduled ${ms(l.scheduled.max)} ms. ${cpuLine(r.cpu.B)}.`,
    ...(r.cpu.C ? [`- C (quiet): ${m.quiet.arrivals} arrivals at ${fmt(m.quiet.rate, 0)}/s; ${cpuLine(r.cpu.C)}.`] : []),
    `- Relay per hop in B, from outbox \`created_at\` (the start of the writing transaction) to the record's timestamp (set by the relay's producer when it sends) and to its receipt by the plain consumer: ${hopRows.join('; ')}.`,
    `- Baseline chain: ${m.chain.count} chains at the same rate, each step a transaction of ${m.chain.rowsPerStep} single-row INSERTs or a produce (acks=all) -> eachMessage hop over one 6-partition topic; ${cpuLine(r.cpu.chain)}.`,
    `- Memory at each service's highest resident set (its own process.memoryUsage(), sampled every 200 ms): ${Object.entries(m.memory)
      .map(([k, x]) => (x.atPeak ? `${k} ${x.atPeak.rssMiB} MiB resident, of which V8 heap ${x.atPeak.heapTotalMiB} (${x.atPeak.heapUsedMiB} in use), outside the heap ${x.atPeak.externalMiB} (buffers ${x.atPeak.arrayBuffersMiB})` : `${k} not reported`))
      .join('; ')}.`,
    `- Sessions whose capacity counted the group's headcount (clinic-scheduling had its copy of the group when the cadence was set): ${fmt(r.capacityFromHeadcount.sessions, 0)} of ${fmt(r.capacityFromHeadcount.of, 0)}. Warnings logged: ${Object.entries(r.warnLines).map(([k, x]) => `${k} ${x}`).join(', ')}; errors logged during start-up on the fresh broker (kafkajs retrying a group coordinator that was still loading; not judged): ${Object.entries(r.startupErrors).map(([k, x]) => `${k} ${x}`).join(', ')}.`,
    r.disturbed.length ? `- **Disturbed:** ${r.disturbed.map((d) => `${d.phase}: other processes used ${d.share} % of the busy CPU (${d.other} s)`).join('; ')}.` : '- No phase was disturbed by other processes (under 15 % of the busy CPU).',
    `- Checks passed: ${r.checks.length} (${r.checks.map((c) => c.name).join('; ')}).`,
    '',
    '**Machine and versions**',
    '',
    `- ${mc.cpuModel}, ${mc.cores} cores, ${mc.totalMemoryGiB} GiB RAM, ${mc.platform}; load average at start ${mc.loadAverageAtStart.join(' / ')}.`,
    `- Node ${v.node}, Apache Kafka ${v.kafka}, kafkajs ${v.kafkajs}, pg ${v.pg}, NestJS ${v.nestjs}, TypeORM ${v.typeorm}.`,
    `- ${v.postgres}; fsync=${r.pgSettings.fsync}, synchronous_commit=${r.pgSettings.synchronous_commit}, shared_buffers=${r.pgSettings.shared_buffers} × 8 kB.`,
    `- Settings: N=${p.arrivals}, C=${p.concurrency}, T=${p.latencySeconds} s${p.quietSeconds ? `, quiet phase ${p.quietRate}/s for ${p.quietSeconds} s` : ''}, warm-up ${p.warmup} arrivals (not counted); services as the platform configures them (pool of 10, outbox relay woken on commit, one partition at a time per consumer); LOG_LEVEL=warn.`,
    '- Only 2 cores: Kafka, PostgreSQL, four services, the mail catcher and the benchmark share them, so every figure includes that contention.',
  ];
  const kept = handWrittenPart(DOCS_FILE, DOCS_SECTION, HAND_WRITTEN_MARKER);
  if (kept) lines.push('', kept);
  return lines.join('\n');
}

module.exports = {
  name: NAME,
  title: 'Pipeline: arrivals through all four services, beside raw pg, raw kafkajs and a hand-written chain',
  docsSection: DOCS_SECTION,
  run,
  markdown,
  tableRows,
};
