'use strict';
/**
 * Practice notification benchmark: a burst of RefugeeGroupArrived events -> notifications for the
 * practices whose catchment covers the location -> one e-mail per notification, accepted by a real
 * SMTP server. One run, one set of throwaway infrastructure (a local Apache Kafka broker, a scratch
 * Postgres database, the mail catcher of tools/infra, all on 127.0.0.1), the service and the mail
 * catcher each in their own Node process, every figure beside a baseline measured in the same run:
 *
 *   1. K events (each for a random PC4 of the region file) produced as fast as possible in batches
 *      on `<prefix>intake.refugee-groups.v1`:
 *        - events handled/s and notifications created/s (first produce -> the last row exists);
 *        - per e-mail, the time from its event's produce to SMTP accepting it: p50/p95/p99/max;
 *        - e-mails accepted by SMTP/s (first produce -> last mail accepted).
 *   2. Baselines: a plain kafkajs consumer (fresh group, fromBeginning, no processing) reading the
 *      same records -> records/s; nodemailer sending mail of the same size to the same catcher, one
 *      mail at a time without any database, (a) one connection per mail as the service's
 *      MailSender does and (b) over one pooled connection -> mails/s and per-mail latency.
 *   3. Checks (the run fails when one fails): every expected notification exists exactly once;
 *      every notification's e-mail arrived exactly once; no failed or pending mail_outbox rows;
 *      no dead letters; every PracticeNotified published; no error logged by the service.
 *
 * The expected number of notifications comes from the directory: after importing the seed CSVs
 * (apps/practice-notification/seed/), the sum over the events of the number of practices whose
 * catchment (practice_notification.practice_catchment) covers the event's PC4.
 *
 * Run with `npm run bench -- practice-notification-signals` (bench/run.js builds first). Knobs (env):
 * BENCH_ARRIVALS (K, default 500), BENCH_WARMUP, BENCH_KAFKA_BATCH, BENCH_RELAY_POLL_MS,
 * BENCH_SMTP_BASELINE, BENCH_SMTP_POOLED_BASELINE, BENCH_SETTLE_MS, BENCH_POLL_MS, BENCH_SEED, BENCH_PHASE_TIMEOUT_MS,
 * BENCH_TOTAL_TIMEOUT_MS; BENCH_PROFILE_DIR=<dir> writes a CPU profile of the service process.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { sleep, envInt, pollUntil, latencySummary, cpuMeter, pidsNamed, round, formatNumber: fmt, machineInfo } = require('./lib/util');
const {
  ROOT,
  runBounded,
  startServiceProcess,
  startMailCatcherProcess,
  sessionSampler,
  httpRequest,
  packageVersion,
  stackVersions,
  disturbedPhases,
  mapRound,
  handWrittenPart,
} = require('./lib/harness');

const NAME = 'practice-notification-signals';
const DOCS_SECTION = 'Practice notification';
const HAND_WRITTEN_MARKER = '### Where the time goes';
const DOCS_FILE = path.join(ROOT, 'docs', 'benchmarks.md');
const BENCH_APP = 'draaiboek-bench';
const API_KEY_ID = 'coordination-bench';
const SERVICE_MODULE = 'dist/out/apps/practice-notification/src/practice-notification.service.js';
const SEED_DIR = path.join(ROOT, 'apps', 'practice-notification', 'seed');
const REGION_FILE = path.join(ROOT, 'apps', 'practice-notification', 'src', 'modules', 'directory', 'region', 'region.drenthe.json');
const SCHEMA = 'practice_notification';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

function parameters() {
  return {
    // 1000 events ask for about 1,850 e-mails, and the service sends about 9 a second to the
    // catcher (see docs/benchmarks.md): 500 keeps a default run under 3 minutes.
    arrivals: envInt('BENCH_ARRIVALS', 500),
    warmup: envInt('BENCH_WARMUP', 30),
    kafkaBatch: envInt('BENCH_KAFKA_BATCH', 500),
    relayPollIntervalMs: envInt('BENCH_RELAY_POLL_MS', 200),
    smtpBaselineMails: envInt('BENCH_SMTP_BASELINE', 100),
    smtpPooledBaselineMails: envInt('BENCH_SMTP_POOLED_BASELINE', 1000),
    settleMs: envInt('BENCH_SETTLE_MS', 1500, { min: 0 }),
    pollMs: envInt('BENCH_POLL_MS', 50, { max: 1000 }),
    seed: envInt('BENCH_SEED', crypto.randomInt(1, 2 ** 31 - 1), { min: 0, max: 2 ** 32 - 1 }),
    phaseTimeoutMs: envInt('BENCH_PHASE_TIMEOUT_MS', 300_000),
    totalTimeoutMs: envInt('BENCH_TOTAL_TIMEOUT_MS', 900_000),
  };
}

/** A small seeded PRNG (mulberry32): the same BENCH_SEED picks the same PC4s and headcounts. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A RefugeeGroupArrived envelope as intake publishes it, for a group at a location in `pc4`. */
function arrivalEnvelope(contracts, { pc4, municipalityCode, headcount, reference }) {
  const groupId = crypto.randomUUID();
  return contracts.createEnvelope({
    type: contracts.RefugeeGroupArrived.v1.type,
    source: '/draaiboek/intake',
    subject: groupId,
    data: {
      groupId,
      municipalityCode,
      reference,
      location: { locationId: crypto.randomUUID(), name: `Opvang ${pc4}`, postcode: `${pc4} AA`, pc4, kind: 'reception-centre' },
      headcount,
      arrivalDate: '2026-11-25',
    },
  });
}

/** Reads every record of `topic` with a plain kafkajs consumer (fresh group, no processing). */
async function plainConsumerBaseline({ kafka, topic, expected, groupId, timeoutMs, cleanup }) {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 30000, heartbeatInterval: 3000 });
  await consumer.connect();
  cleanup.add('baseline consumer', () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
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
      if (seen === expected) {
        lastAt = now;
        allRead();
      }
    },
  });
  let timer;
  await Promise.race([
    allReadPromise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`baseline consumer read ${seen} of ${expected} records in ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  await consumer.disconnect();
  return { records: seen, readMs: lastAt - firstAt, joinMs: firstAt - runAt };
}

/**
 * Sends `count` mails one at a time with nodemailer, with no database: what SMTP alone costs on
 * this machine. pooled=false: configured as the service's MailSender configures it
 * (libs/platform/src/mail/mail-outbox.ts: no pool, so one SMTP connection per mail);
 * pooled=true: one connection, reused for every mail.
 */
async function smtpBaseline({ smtpUrl, count, warmup, sample, timeoutMs, pooled }) {
  const { createTransport } = require('nodemailer');
  const url = new URL(smtpUrl);
  const transport = createTransport({
    host: url.hostname,
    port: Number(url.port),
    secure: false,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(pooled ? { pool: true, maxConnections: 1, maxMessages: Infinity } : {}),
  });
  const deadline = Date.now() + timeoutMs;
  const send = (i, tag) =>
    transport.sendMail({
      from: 'Draaiboek <noreply@draaiboek.example.org>',
      to: 'smtp-baseline@example.org',
      subject: sample.subject,
      text: sample.text,
      messageId: `<${pooled ? 'pooled' : 'single'}-${tag}-${i}@bench-baseline>`,
    });
  try {
    for (let i = 0; i < warmup; i += 1) await send(i, 'warm');
    const latencies = [];
    const started = performance.now();
    for (let i = 0; i < count; i += 1) {
      if (Date.now() > deadline) throw new Error(`SMTP baseline: time limit of ${timeoutMs} ms reached after ${i} of ${count} mails`);
      const t = performance.now();
      await send(i, 'measured');
      latencies.push(performance.now() - t);
    }
    return { mails: count, warmup, elapsedMs: performance.now() - started, latencies };
  } finally {
    transport.close();
  }
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

  if (!fs.existsSync(path.join(ROOT, SERVICE_MODULE))) throw new Error(`${SERVICE_MODULE} is missing: build first (bench/run.js does)`);

  const startedAt = new Date();
  const machine = machineInfo();
  const runId = crypto.randomBytes(4).toString('hex');
  const random = prng(params.seed);

  const checks = [];
  const check = (name, ok, detail) => {
    checks.push({ name, ok, detail });
    if (!ok) throw new Error(`check failed: ${name}: ${detail}`);
    log(`bench: ok: ${name} (${detail})`);
  };

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

  log('bench: starting the mail catcher (own Node process)...');
  const catcher = startMailCatcherProcess({ log });
  cleanup.add('mail catcher', () => catcher.stop(), 30_000);
  const { smtpUrl } = await catcher.ready;
  if (new URL(smtpUrl).hostname !== '127.0.0.1') throw new Error(`the mail catcher listens on ${smtpUrl}, expected 127.0.0.1`);

  // An API key made up for this run, for the directory import.
  const apiKey = crypto.randomBytes(24).toString('base64url');
  const topicPrefix = `b${runId}.`;
  const env = {
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    LOG_LEVEL: 'error',
    API_KEYS: JSON.stringify([{ id: API_KEY_ID, sha256: sha256Hex(apiKey), roles: ['coordination'] }]),
    SMTP_URL: smtpUrl,
    // REMINDER_AFTER_SECONDS / ESCALATION_AFTER_SECONDS stay at their defaults (days): no reminders during the run.
  };

  log('bench: starting practice-notification (own Node process)...');
  const service = startServiceProcess({
    label: 'practice-notification',
    modulePath: SERVICE_MODULE,
    exportName: 'practiceNotificationService',
    options: { env, host: '127.0.0.1', port: 0, relay: { pollIntervalMs: params.relayPollIntervalMs } },
    log,
  });
  cleanup.add('practice-notification service', () => service.stop(), 40_000);
  const { url } = await service.ready;
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`practice-notification listens on ${url}, expected 127.0.0.1`);
  log(`bench: practice-notification at ${url} (pid ${service.pid}); SMTP ${smtpUrl} (catcher pid ${catcher.pid})`);

  const checkPool = new Pool({ connectionString: infra.databaseUrl, max: 2, application_name: `${BENCH_APP}-check` });
  cleanup.add('check pool', () => checkPool.end());
  const q = async (sql, args = []) => (await checkPool.query(sql, args)).rows;
  const count = async (sql, args = []) => (await q(sql, args))[0].n;

  const versions = stackVersions({
    kafkaVersion,
    postgresVersion: (await q('SELECT version() AS v'))[0].v,
    extra: { nodemailer: packageVersion('nodemailer'), smtpServer: packageVersion('smtp-server') },
  });
  const pgSettings = Object.fromEntries(
    (await q(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections')`)).map((r) => [
      r.name,
      r.setting,
    ]),
  );

  // ---- the directory ------------------------------------------------------------------------
  const importCsv = async (file, pathname) => {
    const csv = fs.readFileSync(path.join(SEED_DIR, file));
    const response = await httpRequest({
      method: 'POST',
      url: new URL(pathname, url).toString(),
      body: csv,
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${apiKey}` },
    });
    if (response.status !== 200) throw new Error(`import of ${file}: HTTP ${response.status} ${response.text.slice(0, 500)}`);
    const body = JSON.parse(response.text);
    const rows = csv.toString('utf8').trim().split('\n').length - 1;
    check(`${file} imported`, body.accepted === rows, `${body.accepted} of ${rows} rows accepted, ${body.created} created`);
    return body;
  };
  log('bench: importing the seed directory (100 practices and their GPs)...');
  await importCsv('drenthe-practices.csv', '/v1/directory/practices');
  await importCsv('drenthe-gps.csv', '/v1/directory/gps');

  const region = JSON.parse(fs.readFileSync(REGION_FILE, 'utf8'));
  const pc4s = [];
  const municipalityOf = new Map();
  for (const m of region.municipalities) {
    for (const pc4 of m.pc4) {
      pc4s.push(pc4);
      municipalityOf.set(pc4, m.code);
    }
  }
  const coverage = new Map(
    (await q(`SELECT pc4, count(*)::int AS n FROM ${SCHEMA}.practice_catchment GROUP BY pc4`)).map((r) => [r.pc4, r.n]),
  );
  const uncovered = pc4s.filter((p) => !coverage.get(p));
  check('every PC4 of the region file is covered by a practice', uncovered.length === 0, uncovered.length ? `not covered: ${uncovered.join(' ')}` : `${pc4s.length} PC4 areas, ${fmt(pc4s.reduce((s, p) => s + coverage.get(p), 0) / pc4s.length, 2)} practices per area on average`);
  const practiceEmail = new Map((await q(`SELECT agb, contact_email FROM ${SCHEMA}.practices`)).map((r) => [r.agb, r.contact_email]));

  const makeEvents = (n, tag) =>
    Array.from({ length: n }, (_, i) => {
      const pc4 = pc4s[Math.floor(random() * pc4s.length)];
      const envelope = arrivalEnvelope(contracts, {
        pc4,
        municipalityCode: municipalityOf.get(pc4),
        headcount: 1 + Math.floor(random() * 250),
        reference: `B${runId}-${tag}-${i}`,
      });
      return { envelope, pc4, expected: coverage.get(pc4), record: { key: envelope.subject, value: JSON.stringify(envelope) } };
    });

  // ---- Kafka -----------------------------------------------------------------------------------
  const kafka = new Kafka({
    clientId: 'draaiboek-bench',
    brokers: infra.kafkaBrokers.split(','),
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 5 },
    logLevel: logLevel.ERROR,
  });
  const groupsTopic = topicPrefix + contracts.Topics.refugeeGroups.name;
  const dlqTopic = contracts.deadLetterTopicOf(groupsTopic);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  cleanup.add('kafka producer', () => producer.disconnect());
  const admin = kafka.admin();
  await admin.connect();
  cleanup.add('kafka admin', () => admin.disconnect());
  const topicRecords = async (topic) => (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high) - Number(p.low), 0);

  /** Produces the events in batches (acks=all); returns each event's produce time (ms since epoch). */
  const produceAll = async (events) => {
    const producedAt = new Array(events.length);
    for (let i = 0; i < events.length; i += params.kafkaBatch) {
      const batch = events.slice(i, i + params.kafkaBatch);
      const at = Date.now();
      for (let j = 0; j < batch.length; j += 1) producedAt[i + j] = at;
      await producer.send({ topic: groupsTopic, acks: -1, messages: batch.map((e) => e.record) });
    }
    return producedAt;
  };
  const progress = async () =>
    (
      await q(
        `SELECT (SELECT count(*)::int FROM ${SCHEMA}.arrived_groups) AS groups,
                (SELECT count(*)::int FROM ${SCHEMA}.notifications) AS notifications,
                (SELECT count(*)::int FROM ${SCHEMA}.mail_outbox WHERE status <> 'sent') AS unsent,
                (SELECT count(*)::int FROM ${SCHEMA}.outbox WHERE published_at IS NULL) AS unpublished`,
      )
    )[0];
  const waitMails = (n, what) =>
    pollUntil(async () => ({ done: catcher.messages.length >= n, status: `${catcher.messages.length} of ${n} mails` }), {
      intervalMs: params.pollMs,
      timeoutMs: params.phaseTimeoutMs,
      what,
    });

  // ---- warm-up (not counted): the consumer group has joined, the mail sender has sent -----------
  log(`bench: warm-up: ${params.warmup} events...`);
  const warm = makeEvents(params.warmup, 'WARM');
  const warmExpected = warm.reduce((s, e) => s + e.expected, 0);
  await produceAll(warm);
  await pollUntil(
    async () => {
      const p = await progress();
      return { done: p.groups >= params.warmup && p.notifications >= warmExpected, status: `${p.groups} groups, ${p.notifications} notifications` };
    },
    { intervalMs: params.pollMs, timeoutMs: params.phaseTimeoutMs, what: 'the warm-up notifications' },
  );
  await waitMails(warmExpected, 'the warm-up mails');
  await pollUntil(
    async () => {
      const p = await progress();
      return { done: p.unsent === 0 && p.unpublished === 0, status: `${p.unsent} mails unsent, ${p.unpublished} events unpublished` };
    },
    { intervalMs: params.pollMs, timeoutMs: params.phaseTimeoutMs, what: 'the warm-up mails and events to be sent' },
  );
  const before = await progress();
  check('warm-up: every notification and mail', before.groups === params.warmup && before.notifications === warmExpected && catcher.messages.length === warmExpected, `${before.groups} groups, ${before.notifications} notifications, ${catcher.messages.length} mails`);

  // ---- 1. the burst -------------------------------------------------------------------------------
  const events = makeEvents(params.arrivals, 'RUN');
  const expected = events.reduce((s, e) => s + e.expected, 0);
  const mailsBefore = catcher.messages.length;
  log(`bench: 1. ${params.arrivals} events in batches of ${params.kafkaBatch}, ${expected} notifications and e-mails expected...`);
  const cpuGroups = {
    loadGenerator: () => [process.pid],
    service: () => [service.pid],
    mailCatcher: () => [catcher.pid],
    kafka: () => (kafkaPid ? [kafkaPid] : []),
    postgres: () => pidsNamed('postgres'),
  };
  const sessions = sessionSampler(checkPool, BENCH_APP);
  const handlingCpu = cpuMeter(cpuGroups);
  const t0 = Date.now();
  const producedAt = await produceAll(events);
  const producedMs = Date.now() - t0;

  // Poll the database for the rows, and the catcher (in memory, over IPC) for the mails.
  let groupsAt = null;
  let notificationsAt = null;
  let handlingCpuUse = null;
  let mailTailCpu = null;
  const targetGroups = params.warmup + params.arrivals;
  const targetNotifications = warmExpected + expected;
  const targetMails = mailsBefore + expected;
  const deadline = Date.now() + params.phaseTimeoutMs;
  let nextReport = Date.now() + 10_000;
  for (;;) {
    const now = Date.now();
    if (notificationsAt === null || groupsAt === null) {
      const p = await progress();
      const at = Date.now();
      if (groupsAt === null && p.groups >= targetGroups) groupsAt = at;
      if (notificationsAt === null && p.notifications >= targetNotifications) {
        notificationsAt = at;
        handlingCpuUse = handlingCpu.stop();
        mailTailCpu = cpuMeter(cpuGroups);
        log(`bench: every notification after ${notificationsAt - t0} ms; ${catcher.messages.length - mailsBefore} of ${expected} mails so far`);
      }
    }
    if (now >= nextReport) {
      nextReport = now + 10_000;
      log(`bench: ${round((now - t0) / 1000, 0)} s: ${catcher.messages.length - mailsBefore} of ${expected} mails accepted`);
    }
    if (notificationsAt !== null && groupsAt !== null && catcher.messages.length >= targetMails) break;
    if (now > deadline) {
      const p = await progress();
      throw new Error(
        `timed out after ${params.phaseTimeoutMs} ms: ${p.groups - params.warmup} of ${params.arrivals} groups, ${p.notifications - warmExpected} of ${expected} notifications, ${catcher.messages.length - mailsBefore} of ${expected} mails`,
      );
    }
    await sleep(params.pollMs);
  }
  const allMailsAt = Date.now();
  const mailTailCpuUse = mailTailCpu.stop();
  const db = await sessions.stop();
  log(`bench: groups after ${groupsAt - t0} ms, notifications after ${notificationsAt - t0} ms, the last mail seen after ${allMailsAt - t0} ms`);

  // Let anything extra (a duplicate, a late resend) arrive before counting; wait for the outboxes.
  await pollUntil(
    async () => {
      const p = await progress();
      return { done: p.unsent === 0 && p.unpublished === 0, status: `${p.unsent} mails unsent, ${p.unpublished} events unpublished` };
    },
    { intervalMs: params.pollMs, timeoutMs: params.phaseTimeoutMs, what: 'every mail and PracticeNotified to be sent' },
  );
  await sleep(params.settleMs);

  // ---- 3. checks -------------------------------------------------------------------------------------
  const groupIds = events.map((e) => e.envelope.subject);
  const eventOfGroup = new Map(events.map((e, i) => [e.envelope.subject, { ...e, index: i }]));
  const storedGroups = await count(`SELECT count(*)::int AS n FROM ${SCHEMA}.arrived_groups WHERE group_id = ANY($1::uuid[])`, [groupIds]);
  check('arrived_groups rows = events sent', storedGroups === params.arrivals, `${storedGroups} rows`);
  const inboxRows = await count(`SELECT count(*)::int AS n FROM ${SCHEMA}.inbox WHERE topic = $1`, [groupsTopic]);
  check('inbox rows = every record on the topic', inboxRows === params.warmup + params.arrivals, `${inboxRows} rows`);

  const notifications = await q(
    `SELECT id::text AS id, group_id::text AS group_id, practice_agb, reason, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
       FROM ${SCHEMA}.notifications WHERE group_id = ANY($1::uuid[])`,
    [groupIds],
  );
  const perGroup = new Map();
  for (const n of notifications) {
    const g = perGroup.get(n.group_id) || new Set();
    g.add(n.practice_agb);
    perGroup.set(n.group_id, g);
  }
  const wrongGroups = events.filter((e) => (perGroup.get(e.envelope.subject)?.size ?? 0) !== e.expected);
  check(
    'every expected notification exists exactly once (per group: one per covering practice)',
    notifications.length === expected && wrongGroups.length === 0 && notifications.every((n) => n.reason === 'arrival'),
    `${notifications.length} of ${expected} notifications; ${wrongGroups.length} groups with a wrong number`,
  );
  const totalNotifications = await count(`SELECT count(*)::int AS n FROM ${SCHEMA}.notifications`);
  check('no other notifications', totalNotifications === warmExpected + expected, `${totalNotifications} in all (warm-up ${warmExpected})`);

  const outboxStatus = (await q(`SELECT status, count(*)::int AS n FROM ${SCHEMA}.mail_outbox GROUP BY status`)).reduce((o, r) => ({ ...o, [r.status]: r.n }), {});
  check(
    'mail_outbox: every row sent, none failed or pending',
    !outboxStatus.failed && !outboxStatus.pending && outboxStatus.sent === warmExpected + expected,
    JSON.stringify(outboxStatus),
  );
  const mailRows = await q(`SELECT id::text AS id, reference_id, attempts, to_address FROM ${SCHEMA}.mail_outbox WHERE reference_id = ANY($1::text[])`, [
    notifications.map((n) => n.id),
  ]);
  const notificationOfMail = new Map(mailRows.map((r) => [r.id, r.reference_id]));
  const notificationById = new Map(notifications.map((n) => [n.id, n]));
  check('one mail_outbox row per notification', mailRows.length === expected && new Set(mailRows.map((r) => r.reference_id)).size === expected, `${mailRows.length} rows`);
  const retried = mailRows.filter((r) => r.attempts !== 1).length;

  // Match every received mail to its notification: the Message-ID is <mail_outbox.id@draaiboek>
  // (MailSender sets it), and the text links to /v1/notifications/<notification id>.
  const received = catcher.messages.slice(mailsBefore);
  const mailsPerNotification = new Map();
  const unmatched = [];
  const latencies = [];
  const handlingLatencies = [];
  const queueLatencies = [];
  for (const mail of received) {
    const outboxId = (/^<([^@>]+)@draaiboek>$/.exec(mail.messageId || '') || [])[1];
    const notificationId = outboxId && notificationOfMail.get(outboxId);
    const linked = (new RegExp(`/v1/notifications/(${UUID.source})`).exec(mail.text) || [])[1];
    const n = notificationId && notificationById.get(notificationId);
    if (!n || linked !== notificationId || !mail.to.includes(practiceEmail.get(n.practice_agb))) {
      unmatched.push(mail.messageId);
      continue;
    }
    mailsPerNotification.set(notificationId, (mailsPerNotification.get(notificationId) || 0) + 1);
    const produced = producedAt[eventOfGroup.get(n.group_id).index];
    latencies.push(mail.acceptedAt - produced);
    handlingLatencies.push(n.created_ms - produced);
    queueLatencies.push(mail.acceptedAt - n.created_ms);
  }
  const duplicates = [...mailsPerNotification.values()].filter((c) => c > 1).length;
  check('every received mail belongs to a notification of the burst (Message-ID, link and recipient agree)', unmatched.length === 0, `${received.length} mails, ${unmatched.length} unmatched${unmatched.length ? `: ${unmatched.slice(0, 3).join(', ')}` : ''}`);
  check(
    "every notification's mail arrived exactly once",
    mailsPerNotification.size === expected && duplicates === 0 && received.length === expected,
    `${mailsPerNotification.size} of ${expected} notifications mailed, ${duplicates} more than once, ${received.length} mails received`,
  );
  const published = await count(`SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE event_type = $1 AND published_at IS NOT NULL`, [contracts.PracticeNotified.v1.type]);
  check('every PracticeNotified published', published === warmExpected + expected, `${published} published`);
  const topics = await admin.listTopics();
  const deadLetters = topics.includes(dlqTopic) ? await topicRecords(dlqTopic) : 0;
  check('no dead letters', deadLetters === 0, `${deadLetters} records on ${dlqTopic}${topics.includes(dlqTopic) ? '' : ' (topic absent)'}`);
  const onTopic = await topicRecords(groupsTopic);
  check('the topic holds exactly the records sent', onTopic === params.warmup + params.arrivals, `${onTopic} records`);

  // ---- 2. baselines ------------------------------------------------------------------------------------
  log(`bench: 2. baseline: a plain kafkajs consumer reading all ${onTopic} records, no processing...`);
  const consumerCpu = cpuMeter(cpuGroups);
  const consumer = await plainConsumerBaseline({
    kafka,
    topic: groupsTopic,
    expected: onTopic,
    groupId: `bench-baseline-${runId}`,
    timeoutMs: params.phaseTimeoutMs,
    cleanup,
  });
  const consumerCpuUse = consumerCpu.stop();
  check('baseline consumer read every record', consumer.records === onTopic, `${consumer.records} records`);

  log(`bench: 2'. baseline: ${params.smtpBaselineMails} mails through nodemailer, one connection per mail, no database...`);
  const mailsBeforeSmtp = catcher.messages.length;
  const sample = received[0];
  const smtpCpu = cpuMeter(cpuGroups);
  const smtp = await smtpBaseline({ smtpUrl, count: params.smtpBaselineMails, warmup: 5, sample, timeoutMs: params.phaseTimeoutMs, pooled: false });
  const smtpCpuUse = smtpCpu.stop();
  log(`bench: 2''. baseline: ${params.smtpPooledBaselineMails} mails through nodemailer, one pooled connection, no database...`);
  const pooledCpu = cpuMeter(cpuGroups);
  const pooled = await smtpBaseline({ smtpUrl, count: params.smtpPooledBaselineMails, warmup: 20, sample, timeoutMs: params.phaseTimeoutMs, pooled: true });
  const pooledCpuUse = pooledCpu.stop();
  await waitMails(mailsBeforeSmtp + smtp.warmup + smtp.mails + pooled.warmup + pooled.mails, 'the SMTP baseline mails');
  const smtpLatency = latencySummary(smtp.latencies);
  const pooledLatency = latencySummary(pooled.latencies);

  const errorLines = service.errorLines();
  check('practice-notification logged no errors', errorLines.length === 0, errorLines.length ? errorLines.slice(0, 3).join(' | ') : '0 error lines');
  if (!service.isRunning()) throw new Error('the practice-notification process exited during the benchmark');

  // ---- results -------------------------------------------------------------------------------------------
  const perSecond = (n, ms) => round(n / (ms / 1000), 1);
  const ratio = (a, b) => round(a / b, 3);
  const firstMailAt = Math.min(...received.map((m) => m.acceptedAt));
  const lastMailAt = Math.max(...received.map((m) => m.acceptedAt));
  const eventsRate = perSecond(params.arrivals, groupsAt - t0);
  const notificationsRate = perSecond(expected, notificationsAt - t0);
  const mailsRate = perSecond(expected, lastMailAt - t0);
  const consumerRate = perSecond(consumer.records, consumer.readMs);
  const smtpRate = perSecond(smtp.mails, smtp.elapsedMs);
  const pooledRate = perSecond(pooled.mails, pooled.elapsedMs);
  const latency = latencySummary(latencies);
  const handlingLatency = latencySummary(handlingLatencies);
  const queueLatency = latencySummary(queueLatencies);
  const consumerLabel = 'plain kafkajs consumer, eachMessage, no processing';
  const smtpLabel = 'nodemailer alone, one connection per mail (as the service), one at a time, no database';
  const pooledLabel = 'nodemailer alone, one pooled connection, one at a time, no database';

  const measures = [
    {
      key: 'events.handled',
      label: `RefugeeGroupArrived handled (K=${params.arrivals}, first produce -> last group stored)`,
      value: eventsRate,
      unit: 'events/s',
      baseline: { label: consumerLabel, value: consumerRate, unit: 'records/s' },
      ratio: ratio(eventsRate, consumerRate),
    },
    {
      key: 'notifications.created',
      label: `Notifications created (N=${expected}, first produce -> last row)`,
      value: notificationsRate,
      unit: '/s',
      baseline: { label: consumerLabel, value: consumerRate, unit: 'records/s' },
      ratio: ratio(notificationsRate, consumerRate),
    },
    {
      key: 'mails.accepted',
      label: `E-mails accepted by SMTP (N=${expected}, first produce -> last mail accepted)`,
      value: mailsRate,
      unit: '/s',
      baseline: { label: smtpLabel, value: smtpRate, unit: 'mails/s' },
      ratio: ratio(mailsRate, smtpRate),
    },
    {
      key: 'mails.accepted.vs-pooled-smtp',
      label: 'E-mails accepted by SMTP, against one pooled SMTP connection',
      value: mailsRate,
      unit: '/s',
      baseline: { label: pooledLabel, value: pooledRate, unit: 'mails/s' },
      ratio: ratio(mailsRate, pooledRate),
    },
    ...['p50', 'p95', 'p99', 'max'].map((p) => ({
      key: `mails.latency.${p}`,
      label: `Event produced -> its e-mail accepted by SMTP, ${p}`,
      value: round(latency[p], 0),
      unit: 'ms',
      baseline: { label: `one SMTP send alone (own connection), ${p}`, value: round(smtpLatency[p], 1), unit: 'ms' },
      ratio: ratio(latency[p], smtpLatency[p]),
    })),
  ];

  const result = {
    benchmark: NAME,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    params,
    machine,
    versions,
    postgresSettings: pgSettings,
    infrastructure: infra.describe,
    measures,
    details: {
      directory: { practices: practiceEmail.size, pc4Areas: pc4s.length, meanPracticesPerArea: round(pc4s.reduce((s, p) => s + coverage.get(p), 0) / pc4s.length, 2) },
      burst: {
        events: params.arrivals,
        expectedNotifications: expected,
        producedMs,
        groupsStoredMs: groupsAt - t0,
        notificationsCreatedMs: notificationsAt - t0,
        firstMailMs: firstMailAt - t0,
        lastMailMs: lastMailAt - t0,
        mailWindowRate: perSecond(expected - 1, lastMailAt - firstMailAt),
        mailsSentAfterNotificationsMs: lastMailAt - notificationsAt,
        mailsRetried: retried,
        latencyMs: mapRound(latency, 1),
        produceToNotificationMs: mapRound(handlingLatency, 1),
        notificationToSmtpMs: mapRound(queueLatency, 1),
        cpuHandling: handlingCpuUse,
        cpuMailTail: mailTailCpuUse,
        handlingMs: notificationsAt - t0,
        mailTailMs: allMailsAt - notificationsAt,
        serviceDbSessions: db,
      },
      baselineConsumer: { records: consumer.records, readMs: round(consumer.readMs, 1), joinMs: round(consumer.joinMs, 1), cpu: consumerCpuUse },
      smtpBaseline: { mails: smtp.mails, elapsedMs: round(smtp.elapsedMs, 1), latencyMs: mapRound(smtpLatency, 2), cpu: smtpCpuUse },
      smtpPooledBaseline: { mails: pooled.mails, elapsedMs: round(pooled.elapsedMs, 1), latencyMs: mapRound(pooledLatency, 2), cpu: pooledCpuUse },
      serviceWarnings: service.warnLines().length,
    },
    checks,
  };
  result.disturbedPhases = disturbedPhases({
    'event handling': handlingCpuUse,
    'mail tail': mailTailCpuUse,
    'baseline consumer': consumerCpuUse,
    'SMTP baseline': smtpCpuUse,
    'pooled SMTP baseline': pooledCpuUse,
  });
  for (const x of result.disturbedPhases) {
    log(`bench: WARNING: other work used ${x.other} CPU s (${x.share} % of busy time) during the ${x.phase} phase; its figures are disturbed`);
  }
  return result;
}

// ---------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------

function ratioText(m) {
  return m.ratio === null || m.ratio === undefined ? 'n/a' : `${fmt(m.ratio, m.ratio >= 100 ? 0 : 2)}×`;
}

function cpuText(c) {
  const s = c.cpuSeconds;
  return `machine ${c.machineBusyPercent ?? 'n/a'} % busy; CPU s: service ${s.service ?? 'n/a'}, mail catcher ${s.mailCatcher ?? 'n/a'}, load generator ${s.loadGenerator ?? 'n/a'}, PostgreSQL ${s.postgres ?? 'n/a'}, Kafka broker ${s.kafka ?? 'n/a'}, everything else ${s.other ?? 'n/a'}`;
}

/** The "## Practice notification" section of docs/benchmarks.md (without its heading). */
function markdown(result) {
  const { params: p, machine: m, versions: v, details: d } = result;
  const b = d.burst;
  const lines = [];
  lines.push(
    `_Generated by \`npm run bench -- ${NAME}\` on ${result.finishedAt.slice(0, 10)} (commit ${v.git}); the next run rewrites this section, except the hand-written part under "${HAND_WRITTEN_MARKER.replace(/^#+ /, '')}"._`,
    '',
    `One run, one set of throwaway infrastructure on 127.0.0.1 (a local Apache Kafka broker, a scratch database on the local PostgreSQL server, the SMTP mail catcher of \`tools/infra/mail-catcher.js\`), the practice-notification service and the mail catcher each in their own Node process, the load generator in another. The directory is the seed (${d.directory.practices} practices, ${d.directory.pc4Areas} PC4 areas, ${fmt(d.directory.meanPracticesPerArea, 2)} practices per area on average); each event is for a random PC4 of the region file, so ${fmt(p.arrivals, 0)} events ask for ${fmt(b.expectedNotifications, 0)} notifications and as many e-mails. Ratio = service ÷ baseline: below 1 is slower than the baseline for rates, above 1 is slower for latencies.`,
    '',
    '| Measure | Practice notification | Baseline (same run) | Ratio |',
    '| --- | ---: | --- | ---: |',
  );
  for (const x of result.measures) {
    lines.push(`| ${x.label} | ${fmt(x.value)} ${x.unit} | ${x.baseline.label}: ${fmt(x.baseline.value)} ${x.baseline.unit} | ${ratioText(x)} |`);
  }
  lines.push(
    '',
    '**While measuring**',
    '',
    `- Burst: the ${fmt(p.arrivals, 0)} events were produced in ${fmt(b.producedMs, 0)} ms (batches of ${p.kafkaBatch}); every group was stored after ${fmt(b.groupsStoredMs / 1000, 2)} s and every notification after ${fmt(b.notificationsCreatedMs / 1000, 2)} s. The first e-mail was accepted after ${fmt(b.firstMailMs / 1000, 2)} s, the last after ${fmt(b.lastMailMs / 1000, 2)} s, ${fmt(b.mailsSentAfterNotificationsMs / 1000, 2)} s after the last notification (${fmt(b.mailWindowRate)} mails/s between first and last mail; ${b.mailsRetried} mails needed more than one attempt).`,
    `- Where an e-mail's latency goes: event produced -> notification row p50 ${fmt(b.produceToNotificationMs.p50, 0)} ms, p99 ${fmt(b.produceToNotificationMs.p99, 0)} ms; notification row -> SMTP accepted p50 ${fmt(b.notificationToSmtpMs.p50, 0)} ms, p99 ${fmt(b.notificationToSmtpMs.p99, 0)} ms.`,
    `- Event handling (first produce -> last notification, ${fmt(b.handlingMs / 1000, 2)} s): ${cpuText(b.cpuHandling)}.`,
    `- Mail tail (last notification -> last mail, ${fmt(b.mailTailMs / 1000, 2)} s): ${cpuText(b.cpuMailTail)}.`,
    `- The service's Postgres sessions during the burst: at most ${b.serviceDbSessions.maxConnections}, on average ${b.serviceDbSessions.meanActive} active and ${b.serviceDbSessions.meanIdleInTransaction} idle in transaction.`,
    `- Baselines: the plain consumer read ${fmt(d.baselineConsumer.records, 0)} records (warm-up included) in ${fmt(d.baselineConsumer.readMs, 0)} ms after joining its group in ${fmt(d.baselineConsumer.joinMs, 0)} ms; nodemailer sent ${fmt(d.smtpBaseline.mails, 0)} mails of the same size to the same catcher, each on its own connection, in ${fmt(d.smtpBaseline.elapsedMs / 1000, 2)} s (p50 ${fmt(d.smtpBaseline.latencyMs.p50, 1)} ms per mail; ${cpuText(d.smtpBaseline.cpu)}), and ${fmt(d.smtpPooledBaseline.mails, 0)} over one pooled connection in ${fmt(d.smtpPooledBaseline.elapsedMs / 1000, 2)} s (p50 ${fmt(d.smtpPooledBaseline.latencyMs.p50, 1)} ms per mail).`,
    `- Checks passed: ${result.checks.length} (directory imported and every PC4 covered; every expected notification exactly once; one mail per notification, matched by Message-ID, link and recipient, none twice; mail_outbox all sent, none failed; every PracticeNotified published; no dead letters; no error logged by the service).`,
    '',
    '**Machine and versions**',
    '',
    `- ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB RAM, ${m.platform}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
    `- Node ${v.node}, Apache Kafka ${v.kafka}, kafkajs ${v.kafkajs}, pg ${v.pg}, NestJS ${v.nestjs}, TypeORM ${v.typeorm}, nodemailer ${v.nodemailer}, smtp-server ${v.smtpServer}.`,
    `- ${v.postgres}; fsync=${result.postgresSettings.fsync}, synchronous_commit=${result.postgresSettings.synchronous_commit}, shared_buffers=${result.postgresSettings.shared_buffers} × 8 kB.`,
    `- Settings: K=${p.arrivals} in batches of ${p.kafkaBatch}, warm-up ${p.warmup} events (not counted), seed ${p.seed}, outbox relay poll ${p.relayPollIntervalMs} ms, mail sender as configured by the service (poll 200 ms, 10 mails per pass), service pool: the platform default (10 connections), SMTP baselines ${p.smtpBaselineMails} mails (own connection each) and ${p.smtpPooledBaselineMails} (pooled), progress polled every ${p.pollMs} ms.`,
  );
  if (result.disturbedPhases.length) {
    lines.push(
      `- **Disturbed run:** other work on the machine used ${result.disturbedPhases.map((x) => `${x.other} CPU s during the ${x.phase} phase (${x.share} % of all busy time)`).join(', ')}; those figures are lower than this machine can do. Run again on a quiet machine.`,
    );
  }
  if (m.cores <= 2) {
    lines.push(
      `- Only ${m.cores} cores: the load generator, the service, the mail catcher, PostgreSQL and the Kafka broker all share them, so the absolute figures are low and every ratio includes that contention. Compare ratios across runs, not absolute rates across machines.`,
    );
  }
  const kept = handWrittenPart(DOCS_FILE, DOCS_SECTION, HAND_WRITTEN_MARKER);
  if (kept) lines.push('', kept);
  return lines.join('\n');
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
  name: NAME,
  title: 'Practice notification: RefugeeGroupArrived -> notifications -> e-mails accepted by SMTP',
  docsSection: DOCS_SECTION,
  run,
  markdown,
  tableRows,
};
