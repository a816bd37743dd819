#!/usr/bin/env node
'use strict';
// `npm run faults [-- --long]`: the fault suite. On its own PostgreSQL cluster and its own Kafka
// broker it runs the four services as OS processes, drives arrivals through them, and meanwhile:
// SIGKILLs a consumer with a backlog, SIGTERMs a service under load, kills the outbox relay
// between Kafka's acknowledgement and the marking of its rows, rebalances a consumer group over
// three instances, stops and kills the broker, restarts Postgres, sends poison messages and
// replays a topic from offset 0. Then the independent checker (checker.js) compares what was
// acknowledged with the databases and the topics. Exit 0 only when every check holds.
//
//   --long            the long profile (>= 10,000 arrivals at 10/s)
//   --arrivals N      at least N arrivals (default: 400 short, 10,000 long)
//   --cycles N        how many times the fault sequence runs (short: 1; long: again and again
//                     while the load runs, at least once)
//   --json FILE       write the results there (default tmp/faults/<profile>.json)
//   --no-build        use dist/out as it is
//   --keep            keep the scratch folder (databases, broker data, logs)
//   --docs            write the results into docs/reliability.md (between its results markers)

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..', '..');
const { startOwnPostgres, startOwnKafka, makeWorkDir } = require('./cluster');
const { startLoad, request, newRunId } = require('./load');
const kafkaView = require('./kafka-view');
const { check } = require('./checker');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms) => (ms === null || ms === undefined ? null : Math.round(ms / 100) / 10);

const MAX_ATTEMPTS = 3;
const LAG_TARGET_MS = 30_000;

const PROFILES = {
  short: { arrivals: 300, ratePerSecond: 10, concurrency: 4, changesEvery: 3, sessionEvery: 20, cycles: 1, outageMs: 3000, rebalanceHoldMs: 5000 },
  long: { arrivals: 10_000, ratePerSecond: 10, concurrency: 6, changesEvery: 3, sessionEvery: 50, cycles: 'while-loading', outageMs: 5000, rebalanceHoldMs: 15_000 },
};

const { SERVICES } = require('../../bench/lib/services');
const GROUPS_TOPIC = 'intake.refugee-groups.v1';
const SESSIONS_TOPIC = 'clinic-scheduling.sessions.v1';
const CONSUMED_TOPICS = [...new Set(Object.values(SERVICES).flatMap((s) => s.topics))];
const CONSUMER_GROUPS = Object.entries(SERVICES).map(([groupId, s]) => ({ groupId, topics: s.topics }));

function log(line) {
  process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function options() {
  const { values } = parseArgs({
    options: {
      long: { type: 'boolean', default: false },
      arrivals: { type: 'string' },
      cycles: { type: 'string' },
      json: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      docs: { type: 'boolean', default: false },
    },
  });
  const profileName = values.long ? 'long' : 'short';
  const profile = { ...PROFILES[profileName] };
  if (values.arrivals) profile.arrivals = Number(values.arrivals);
  if (values.cycles) profile.cycles = Number(values.cycles);
  return { profileName, profile, json: values.json ?? path.join(ROOT, 'tmp', 'faults', `${profileName}.json`), build: !values['no-build'], keep: values.keep, docs: values.docs };
}

function build() {
  log('building (tsc -p tsconfig.build.json)...');
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`build failed (tsc exit ${result.status})`);
}

const sha256Hex = (v) => crypto.createHash('sha256').update(v, 'utf8').digest('hex');

/** The services, each instance its own OS process (bench/lib/service-process.js). */
class Fleet {
  constructor(env) {
    this.env = env;
    this.instances = Object.fromEntries(Object.keys(SERVICES).map((n) => [n, []]));
    this.counter = 0;
    this.all = [];
  }

  async start(name, { faults } = {}) {
    const { startServiceProcess } = require('../../bench/lib/harness');
    const label = `${name}#${++this.counter}`;
    const handle = startServiceProcess({
      label,
      modulePath: SERVICES[name].modulePath,
      exportName: SERVICES[name].exportName,
      options: { env: this.env, host: '127.0.0.1', port: 0 },
      faults,
      log,
      timeoutMs: 180_000,
    });
    const instance = { name, label, handle, pid: handle.pid, url: null };
    this.all.push(instance);
    const ready = await handle.ready;
    instance.url = ready.url;
    this.instances[name].push(instance);
    handle.exited.then(() => {
      this.instances[name] = this.instances[name].filter((i) => i !== instance);
    });
    return instance;
  }

  first(name) {
    return this.instances[name].find((i) => i.handle.isRunning());
  }

  url(name) {
    return this.first(name)?.url;
  }

  /** Sends a real signal to the instance's process; resolves with how it exited. */
  async signal(instance, signal) {
    this.instances[instance.name] = this.instances[instance.name].filter((i) => i !== instance);
    const sent = Date.now();
    process.kill(instance.pid, signal);
    const exit = await Promise.race([instance.handle.exited, sleep(60_000).then(() => null)]);
    if (!exit) throw new Error(`${instance.label} did not exit within 60 s of ${signal}`);
    return { ...exit, ms: Date.now() - sent };
  }

  /** Every log line of every instance, one file each (appended as they come), for whoever debugs a run. */
  writeLogs(dir) {
    fs.mkdirSync(dir, { recursive: true });
    for (const i of this.all) {
      const lines = i.handle.logLines.slice(i.written ?? 0);
      i.written = (i.written ?? 0) + lines.length;
      if (lines.length) fs.appendFileSync(path.join(dir, `${i.label.replace('#', '-')}.log`), lines.join('\n') + '\n');
    }
  }

  async stopAll() {
    await Promise.all(this.all.map((i) => i.handle.stop().catch(() => undefined)));
  }

  errorLines() {
    return this.all.flatMap((i) => i.handle.errorLines().map((l) => `${i.label}: ${l}`));
  }
}

/** Polls /health/ready of every running instance; records what each answered, and when. */
function readinessMonitor(fleet) {
  const samples = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await Promise.all(
        Object.values(fleet.instances)
          .flat()
          .map(async (i) => {
            let status;
            try {
              status = (await request('GET', `${i.url}/health/ready`, undefined, {}, 4000)).status;
            } catch (error) {
              status = error.code || 'error';
            }
            samples.push({ at: Date.now(), label: i.label, pid: i.pid, status });
          }),
      );
      await sleep(300);
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * What readiness did around an outage [from, to]: every instance that lived through it must have
 * answered 503 during it and 200 again after it, in the same process (no restart).
 */
function readinessAround(monitor, from, to, running) {
  const out = {};
  // The instances that lived through it: polled before it, and running still.
  const labels = new Set(monitor.samples.filter((s) => s.at < from && running.includes(s.label)).map((s) => s.label));
  for (const label of labels) {
    const mine = monitor.samples.filter((s) => s.label === label);
    const during = mine.filter((s) => s.at >= from && s.at <= to);
    const after = mine.filter((s) => s.at > to);
    const back = after.find((s) => s.status === 200);
    const lastDown = [...mine].reverse().find((s) => s.status !== 200 && s.at <= (back ? back.at : Infinity));
    out[label] = {
      notReadyDuringOutage: during.some((s) => s.status === 503),
      readyAgainAfterMs: back ? back.at - to : null,
      firstNotReadyAfterMs: during.find((s) => s.status !== 200) ? during.find((s) => s.status !== 200).at - from : null,
      lastNotReadyStatus: lastDown?.status ?? null,
    };
  }
  return out;
}

async function main() {
  const { profileName, profile, json, build: doBuild, keep, docs } = options();
  const started = Date.now();
  if (doBuild) build();
  const runId = newRunId();
  const workDir = await makeWorkDir();
  log(`profile ${profileName}: >= ${profile.arrivals} arrivals at ${profile.ratePerSecond}/s, fault sequence ${profile.cycles === "while-loading" ? "repeated while the load runs" : `x${profile.cycles}`}; scratch ${workDir}`);

  const cleanups = [];
  const onSignal = () => {
    log('interrupted: stopping everything');
    (async () => {
      for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    })().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let results;
  try {
    const postgres = await startOwnPostgres({ dir: path.join(workDir, 'pg'), log });
    cleanups.push(() => postgres.stop());
    const kafka = await startOwnKafka({ dir: workDir, log });
    cleanups.push(() => kafka.stop());

    const { Pool } = require('pg');
    const adminPool = new Pool({ connectionString: postgres.adminUrl, max: 1 });
    await adminPool.query('CREATE DATABASE draaiboek_faults');
    await adminPool.end();
    const databaseUrl = postgres.adminUrl.replace(/\/postgres$/, '/draaiboek_faults');

    // practice-notification mails the coordination about groups no practice covers.
    const { startMailCatcherProcess } = require('../../bench/lib/harness');
    const catcher = startMailCatcherProcess({ log });
    cleanups.push(() => catcher.stop());
    const mail = await catcher.ready;

    const keys = { municipality: crypto.randomBytes(18).toString('base64url'), coordination: crypto.randomBytes(18).toString('base64url') };
    const env = {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: kafka.brokers,
      LOG_LEVEL: 'warn',
      SMTP_URL: mail.smtpUrl,
      API_KEYS: JSON.stringify([
        { id: 'faults-emmen', sha256: sha256Hex(keys.municipality), roles: ['municipality'], municipalityCode: 'GM0114' },
        { id: 'faults-coordination', sha256: sha256Hex(keys.coordination), roles: ['coordination'] },
      ]),
    };
    const fleet = new Fleet(env);
    cleanups.push(() => fleet.stopAll());
    const logDir = path.join(keep ? workDir : path.join(ROOT, 'tmp', 'faults'), `logs-${runId}`);
    const logFlusher = setInterval(() => fleet.writeLogs(logDir), 2000);
    cleanups.push(async () => {
      clearInterval(logFlusher);
      fleet.writeLogs(logDir);
    });
    log('starting the four services (own OS processes)...');
    await Promise.all(Object.keys(SERVICES).map((name) => fleet.start(name)));

    // A central location, so the load can also schedule consultation hours (-> declarations).
    const coordination = { authorization: `Bearer ${keys.coordination}` };
    const location = await request('POST', `${fleet.url('clinic-scheduling')}/v1/central-locations`, { name: 'Spreekuur AZC Emmen (faults)', postcode: '7811 AA' }, coordination);
    if (location.status !== 201) throw new Error(`opening the central location: HTTP ${location.status} ${JSON.stringify(location.body)}`);
    const override = await request('POST', `${fleet.url('clinic-scheduling')}/v1/central-locations/${location.body.id}/override`, { reason: 'Fault suite: the workplace is arranged' }, coordination);
    if (override.status !== 200) throw new Error(`override: HTTP ${override.status} ${JSON.stringify(override.body)}`);

    const monitor = readinessMonitor(fleet);
    cleanups.push(() => monitor.stop());
    const load = startLoad({
      urls: () => ({ intake: fleet.url('intake'), clinic: fleet.url('clinic-scheduling') }),
      keys,
      arrivals: profile.arrivals,
      ratePerSecond: profile.ratePerSecond,
      concurrency: profile.concurrency,
      changesEvery: profile.changesEvery,
      sessionEvery: profile.sessionEvery,
      centralLocationId: location.body.id,
      runId,
      deadlineMs: 60 * 60_000,
      log,
    });

    const faults = [];
    const poison = [];
    const lagZero = (since) => kafkaView.waitLagZero(kafka.brokers, CONSUMER_GROUPS, CONSUMED_TOPICS, { since, timeoutMs: 180_000, log });
    let currentCycle = 1;
    async function fault(name, fn) {
      const record = { name, cycle: currentCycle, startedAt: new Date().toISOString(), arrivalsSoFar: load.sent() };
      log(`fault: ${name}...`);
      const t0 = Date.now();
      const detail = (await fn()) ?? {};
      const ended = Date.now();
      const lag = detail.skipLag ? null : await lagZero(ended);
      delete detail.skipLag;
      Object.assign(record, { faultSeconds: seconds(ended - t0), lagZeroSeconds: lag ? seconds(lag.ms) : null, ...detail });
      if (lag && lag.ms === null) record.lagAtEnd = lag.lagAtEnd;
      faults.push(record);
      log(`fault: ${name}: done in ${record.faultSeconds} s, lag back to zero ${record.lagZeroSeconds} s after it ended ${JSON.stringify(detail).slice(0, 300)}`);
      await sleep(1000);
    }
    const waitLoad = async (n) => {
      while (load.sent() < n) await sleep(200);
    };

    await waitLoad(Math.min(40, profile.arrivals));
    // The long profile repeats the whole sequence for as long as the load runs, so the faults
    // also hit a system holding thousands of groups, not only the first few hundred.
    const another = (cycle) => (profile.cycles === 'while-loading' ? cycle === 1 || load.sent() < profile.arrivals : cycle <= profile.cycles);
    for (let cycle = 1; another(cycle); cycle++) {
      currentCycle = cycle;
      await fault('consumer SIGKILL with a backlog (practice-notification)', async () => {
        const victim = fleet.first('practice-notification');
        let lag = 0;
        for (let i = 0; i < 100 && lag === 0; i++) {
          lag = (await kafkaView.lagOf(kafka.brokers, [{ groupId: 'practice-notification', topics: SERVICES['practice-notification'].topics }], CONSUMED_TOPICS)).total;
          if (lag === 0) await sleep(50);
        }
        const exit = await fleet.signal(victim, 'SIGKILL');
        await fleet.start('practice-notification');
        return { backlogAtKill: lag, exit: exit.signal };
      });

      await fault('SIGTERM under load (clinic-scheduling)', async () => {
        const exit = await fleet.signal(fleet.first('clinic-scheduling'), 'SIGTERM');
        await fleet.start('clinic-scheduling');
        if (exit.code !== 143) throw new Error(`clinic-scheduling exited with ${exit.code}/${exit.signal} on SIGTERM, expected 143 after a graceful close`);
        return { exitCode: exit.code, shutdownSeconds: seconds(exit.ms) };
      });

      await fault('outbox relay killed between Kafka ack and marking its rows (intake)', async () => {
        const graceful = await fleet.signal(fleet.first('intake'), 'SIGTERM');
        const crashing = await fleet.start('intake', { faults: { killAfterPublishBatches: 3 } });
        const exit = await Promise.race([crashing.handle.exited, sleep(120_000).then(() => null)]);
        if (!exit) throw new Error('the crashing intake published no 3 batches within 120 s');
        fleet.instances.intake = fleet.instances.intake.filter((i) => i !== crashing);
        await fleet.start('intake');
        return { gracefulExitCode: graceful.code, crashedBy: exit.signal };
      });

      await fault('consumer group rebalanced over 3 instances and back (practice-notification)', async () => {
        const second = await fleet.start('practice-notification');
        const third = await fleet.start('practice-notification');
        await sleep(profile.rebalanceHoldMs);
        const exits = [await fleet.signal(third, 'SIGTERM'), await fleet.signal(second, 'SIGTERM')];
        return { stoppedExitCodes: exits.map((e) => e.code) };
      });

      await fault('broker stopped (SIGTERM) and restarted', async () => {
        const from = Date.now();
        await kafka.stopBroker();
        await sleep(profile.outageMs);
        await kafka.startBroker();
        const to = Date.now();
        await sleep(1000);
        return { outageSeconds: seconds(to - from), readiness: await settledReadiness(monitor, from, to, fleet) };
      });

      await fault('broker killed (SIGKILL) and restarted', async () => {
        const from = Date.now();
        await kafka.killBroker();
        await sleep(profile.outageMs);
        await kafka.startBroker();
        const to = Date.now();
        return { outageSeconds: seconds(to - from), readiness: await settledReadiness(monitor, from, to, fleet) };
      });

      await fault('Postgres restarted', async () => {
        const from = Date.now();
        await postgres.stopServer();
        await sleep(profile.outageMs);
        await postgres.startServer();
        const to = Date.now();
        return { outageSeconds: seconds(to - from), readiness: await settledReadiness(monitor, from, to, fleet) };
      });

      await fault('poison messages (undecodable, invalid data, a handler that always fails)', async () => {
        const client = new (require('pg').Client)({ connectionString: databaseUrl });
        await client.connect();
        let rows;
        try {
          ({ rows } = await client.query(`SELECT message_key, envelope FROM intake.outbox WHERE event_type LIKE '%RefugeeGroupArrived%' ORDER BY seq LIMIT 1`));
        } finally {
          await client.end();
        }
        const key = rows[0].message_key;
        const original = rows[0].envelope;
        const invalid = { ...original, id: crypto.randomUUID(), data: { ...original.data, headcount: 0 } };
        // A second arrival of an existing group: valid, and its insert fails every time.
        const alwaysFails = { ...original, id: crypto.randomUUID(), time: new Date().toISOString() };
        const [meta] = await kafkaView.produce(kafka.brokers, GROUPS_TOPIC, [
          { key, value: `{poison ${runId}` },
          { key, value: JSON.stringify(invalid) },
          { key, value: JSON.stringify(alwaysFails) },
        ]);
        const base = Number(meta.baseOffset);
        const mine = [
          { kind: 'undecodable', partition: meta.partition, offset: base },
          { kind: 'invalid-data', partition: meta.partition, offset: base + 1, eventId: invalid.id },
          { kind: 'always-fails', partition: meta.partition, offset: base + 2, eventId: alwaysFails.id },
        ];
        poison.push(...mine);
        return { poison: mine.map((p) => `${p.kind}@${p.partition}:${p.offset}`) };
      });

      await fault(`full replay of ${GROUPS_TOPIC} from offset 0 (practice-notification)`, async () => {
        for (const instance of [...fleet.instances['practice-notification']]) await fleet.signal(instance, 'SIGTERM');
        const hw = await kafkaView.highWatermarks(kafka.brokers, [GROUPS_TOPIC]);
        const records = Object.values(hw[GROUPS_TOPIC]).reduce((a, b) => a + b, 0);
        await kafkaView.resetToEarliest(kafka.brokers, 'practice-notification', GROUPS_TOPIC);
        const t0 = Date.now();
        await fleet.start('practice-notification');
        const lag = await lagZero(t0);
        return { recordsReplayed: records, replaySeconds: seconds(lag.ms), replayRecordsPerSecond: lag.ms ? Math.round((records * 1000) / lag.ms) : null, skipLag: true };
      });
    }

    log('faults done; finishing the load...');
    const { ledger, stats } = await load.finish();
    const drained = await lagZero(Date.now());
    await monitor.stop();
    log(`drained in ${seconds(drained.ms)} s; reading the topics and the databases...`);
    const wanted = [GROUPS_TOPIC, `${GROUPS_TOPIC}.dlq`, SESSIONS_TOPIC, ...CONSUMED_TOPICS.filter((t) => t !== GROUPS_TOPIC && t !== SESSIONS_TOPIC).map((t) => `${t}.dlq`), `${SESSIONS_TOPIC}.dlq`];
    const topics = await kafkaView.readTopics(kafka.brokers, [...new Set(wanted)]);
    const pool = new Pool({ connectionString: databaseUrl, max: 2 });
    let verdict;
    try {
      verdict = await check({
        pool,
        topics,
        names: { groups: GROUPS_TOPIC, sessions: SESSIONS_TOPIC },
        ledger,
        poison,
        consumerGroups: { practiceNotification: 'practice-notification', clinicScheduling: 'clinic-scheduling', declarations: 'declarations' },
        referencePrefix: `FLT-${runId}-`,
        maxAttempts: MAX_ATTEMPTS,
      });
    } finally {
      await pool.end();
    }

    const recoveryProblems = [];
    for (const f of faults) {
      if (!/replay/.test(f.name) && (f.lagZeroSeconds === null || f.lagZeroSeconds * 1000 > LAG_TARGET_MS)) {
        recoveryProblems.push(`${f.name}: lag back to zero after ${f.lagZeroSeconds ?? 'never (180 s)'} s (target ${LAG_TARGET_MS / 1000} s)`);
      }
      for (const [label, r] of Object.entries(f.readiness ?? {})) {
        if (!r.notReadyDuringOutage) recoveryProblems.push(`${f.name}: ${label} never reported not ready during the outage`);
        if (r.readyAgainAfterMs === null) recoveryProblems.push(`${f.name}: ${label} never became ready again without a restart`);
      }
    }
    // A fault of the infrastructure is no fault of a request: 503 (repeat it), never a 500.
    if (stats.internalErrors > 0) recoveryProblems.push(`${stats.internalErrors} requests answered 500 during the faults (an outage must be a 503)`);
    if (drained.ms === null) recoveryProblems.push(`the consumers did not catch up after the load (lag ${JSON.stringify(drained.lagAtEnd)})`);

    results = {
      profile: profileName,
      ok: verdict.ok && recoveryProblems.length === 0,
      finishedAt: new Date().toISOString(),
      durationSeconds: seconds(Date.now() - started),
      parameters: { ...profile, maxAttempts: MAX_ATTEMPTS, lagTargetSeconds: LAG_TARGET_MS / 1000 },
      load: { arrivals: ledger.groups.length, headcountChanges: ledger.groups.reduce((n, g) => n + g.headcounts.length - 1, 0), sessions: ledger.sessions.length, ambiguousSessions: ledger.ambiguousSessions, requests: stats.requests, repeats: stats.retries, repeatReasons: stats.retryReasons },
      faults,
      drainedSeconds: seconds(drained.ms),
      check: verdict,
      recoveryProblems,
      serviceErrorLines: fleet.errorLines().length,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` },
      versions: { kafka: kafka.version, postgres: postgres.version, kafkajs: require('kafkajs/package.json').version },
    };
    // Loss and duplicates under faults are what matters; log the first service errors for whoever debugs.
    if (!results.ok) for (const line of fleet.errorLines().slice(0, 15)) log(line.slice(0, 400));
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((e) => log(`cleanup: ${e.message}`));
    if (!keep) await fsp.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }

  fs.mkdirSync(path.dirname(json), { recursive: true });
  fs.writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
  const c = results.check;
  log(`${results.ok ? 'PASSED' : 'FAILED'}: ${c.arrivals} arrivals, ${c.expectedGroupEvents} group events (${c.republishedCopies} republished copies), ${c.sessions} sessions; lost ${c.lost}, duplicated ${c.duplicated}, order ${c.orderViolations}, poison ${c.poisonProblems}; results in ${path.relative(ROOT, json)}`);
  for (const p of c.problems) log(`  ${p.kind}: ${p.detail}`);
  for (const p of results.recoveryProblems) log(`  recovery: ${p}`);
  if (docs) writeDocs(results);
  // Everything is stopped; whatever handle a client library still holds must not keep us running.
  process.exit(results.ok ? 0 : 1);
}

/** The results as markdown, between the markers of docs/reliability.md. */
function writeDocs(r) {
  const file = path.join(ROOT, 'docs', 'reliability.md');
  const c = r.check;
  const rows = r.faults.map((f) => {
    const extra = [];
    if (f.backlogAtKill !== undefined) extra.push(`backlog at kill ${f.backlogAtKill}`);
    if (f.shutdownSeconds !== undefined) extra.push(`SIGTERM to exit ${f.shutdownSeconds} s, exit ${f.exitCode}`);
    if (f.crashedBy) extra.push(`graceful stop exit ${f.gracefulExitCode}, then ${f.crashedBy} after Kafka's ack`);
    if (f.stoppedExitCodes) extra.push(`extra instances stopped with ${f.stoppedExitCodes.join(', ')}`);
    if (f.outageSeconds !== undefined) {
      const ready = Object.values(f.readiness ?? {});
      const back = ready.map((x) => x.readyAgainAfterMs).filter((x) => x !== null);
      extra.push(`outage ${f.outageSeconds} s; ${ready.filter((x) => x.notReadyDuringOutage).length}/${ready.length} instances not ready during it, ready again ${back.length ? `${seconds(Math.min(...back))}-${seconds(Math.max(...back))} s` : 'never'} after`);
    }
    if (f.poison) extra.push(f.poison.join(', '));
    if (f.recordsReplayed !== undefined) extra.push(`${f.recordsReplayed} records replayed in ${f.replaySeconds} s (${f.replayRecordsPerSecond}/s)`);
    return `| ${f.cycle} | ${f.name} | ${f.arrivalsSoFar} | ${f.faultSeconds} | ${f.recordsReplayed !== undefined ? 'n/a (replay)' : f.lagZeroSeconds} | ${extra.join('; ')} |`;
  });
  const text = [
    '<!-- results: written by `npm run faults -- --long --docs` -->',
    `Run of ${r.finishedAt} (${r.profile} profile, ${r.durationSeconds} s, ${r.ok ? 'passed' : 'FAILED'}).`,
    '',
    `- Load: ${r.load.arrivals} arrivals over intake's HTTP API, ${r.load.headcountChanges} headcount changes, ${r.load.sessions} consultation hours (${r.load.ambiguousSessions} answers cut off); ${r.load.requests} requests acknowledged, ${r.load.repeats} repeats during faults.`,
    `- Events: ${c.expectedGroupEvents} group events expected, ${c.groupEventsOnTopic} distinct on the topic, ${c.recordsOnTopic} records (${c.republishedCopies} republished copies); ${c.sessions} sessions.`,
    `- Lost: ${c.lost}. Duplicated: ${c.duplicated}. Order violations: ${c.orderViolations}. Poison problems: ${c.poisonProblems}.`,
    `- Poison: ${c.poison.map((p) => `${p.kind} -> ${Object.entries(p.deadLettered).map(([g, d]) => `${g}: ${d.reason}, ${d.attempts} attempt(s)`).join('; ')}`).join(' / ')}.`,
    `- Drained after the load in ${r.drainedSeconds} s. Recovery problems: ${r.recoveryProblems.length ? r.recoveryProblems.join('; ') : 'none'}.`,
    `- Machine: ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, ${r.machine.platform}, Node ${r.machine.node}; Kafka ${r.versions.kafka}, ${r.versions.postgres}, kafkajs ${r.versions.kafkajs}.`,
    '',
    '| cycle | fault | arrivals before | fault took (s) | lag back to zero after it ended (s) | what happened |',
    '| ---: | --- | ---: | ---: | ---: | --- |',
    ...rows,
    '<!-- /results -->',
  ].join('\n');
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const start = doc.indexOf('<!-- results');
  const end = doc.indexOf('<!-- /results -->');
  doc = start >= 0 && end > start ? doc.slice(0, start) + text + doc.slice(end + '<!-- /results -->'.length) : `${doc}\n${text}\n`;
  fs.writeFileSync(file, doc);
  log(`results written into ${path.relative(ROOT, file)}`);
}

/** Waits (up to 40 s) until every instance is ready again, then reports readiness around the outage. */
async function settledReadiness(monitor, from, to, fleet) {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const running = Object.values(fleet.instances).flat().map((i) => i.label);
    const report = readinessAround(monitor, from, to, running);
    if (Object.values(report).every((r) => r.readyAgainAfterMs !== null) || Date.now() > deadline) return report;
    await sleep(500);
  }
}

main().catch((error) => {
  log(`failed: ${error.stack || error.message}`);
  process.exit(1);
});
