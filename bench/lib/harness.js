'use strict';
// Running a benchmark: a cleanup stack, services and the mail catcher in child processes,
// Postgres session sampling, version and commit lookup, small HTTP client, "disturbed" detection.
// Used by bench/practice-notification-signals.js (bench/intake-arrivals.js keeps its own copies).

const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const { fork, execFileSync } = require('node:child_process');

const { sleep, round } = require('./util');
const { serviceNodeFlags } = require('../../tools/run/service-node-flags');

const ROOT = path.resolve(__dirname, '..', '..');

/** Cleanups run once, last registered first, each bounded and each allowed to fail. */
class Cleanup {
  constructor(log) {
    this.log = log;
    this.steps = [];
    this.running = null;
  }
  add(name, fn, timeoutMs = 30_000) {
    this.steps.push({ name, fn, timeoutMs });
  }
  run() {
    if (!this.running) {
      this.running = (async () => {
        const errors = [];
        for (const step of this.steps.reverse()) {
          let timer;
          try {
            await Promise.race([
              Promise.resolve().then(step.fn),
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`timed out after ${step.timeoutMs} ms`)), step.timeoutMs);
              }),
            ]);
          } catch (error) {
            errors.push(`${step.name}: ${error.message}`);
            this.log(`cleanup: ${step.name} failed: ${error.message}`);
          } finally {
            clearTimeout(timer);
          }
        }
        return errors;
      })();
    }
    return this.running;
  }
}

/**
 * Runs `work(cleanup)` with a total time limit, always running the cleanups afterwards (also on
 * SIGINT/SIGTERM). Resolves with what work resolves with; rejects on failure or time-out.
 */
async function runBounded({ totalTimeoutMs, log, work }) {
  const cleanup = new Cleanup(log);
  const onSignal = (signal) => {
    log(`bench: ${signal}: stopping services and infrastructure`);
    cleanup.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const running = work(cleanup);
  running.catch(() => undefined); // if the watchdog wins, the late rejection is expected
  let watchdog;
  try {
    return await Promise.race([
      running,
      new Promise((_, reject) => {
        watchdog = setTimeout(() => reject(new Error(`benchmark exceeded BENCH_TOTAL_TIMEOUT_MS=${totalTimeoutMs} ms`)), totalTimeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(watchdog);
    const errors = await cleanup.run();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (errors.length) log(`bench: cleanup reported: ${errors.join('; ')}`);
  }
}

/** Forks `script` with an IPC channel; `ready` resolves with the child's { type: 'ready' } message. */
function forkChild({ script, label, startMessage, log, timeoutMs = 120_000, execArgv = [], onMessage = () => {} }) {
  const child = fork(script, [], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
    execArgv,
  });
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  child.on('message', onMessage);
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (m) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      } else if (m.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${label}: ${m.message}`));
      }
    });
    exitPromise.then((e) => {
      clearTimeout(timer);
      reject(new Error(`${label} process exited during start-up (code ${e.code}, signal ${e.signal})`));
    });
  });
  ready.catch(() => undefined); // awaited by the caller; not an unhandled rejection meanwhile
  child.send(startMessage);
  return {
    pid: child.pid,
    ready,
    isRunning: () => exited === null,
    /** Resolves with { code, signal } when the process has ended. */
    exited: exitPromise,
    async stop() {
      if (exited) return;
      if (child.connected) child.send({ type: 'close' });
      const result = await Promise.race([exitPromise, sleep(20_000).then(() => null)]);
      if (!result) {
        log(`${label}: process ${child.pid} did not exit within 20 s after close; killing it`);
        child.kill('SIGKILL');
        await Promise.race([exitPromise, sleep(5000)]);
      }
    },
  };
}

/**
 * A Draaiboek service (a ServiceDefinition exported by a compiled module in dist/out) in its own
 * Node process, through bench/lib/service-process.js. BENCH_PROFILE_DIR=<dir> writes a V8 CPU
 * profile of that process; BENCH_NODE_FLAGS adds Node or V8 flags (e.g. `--trace-gc`) after the
 * service's own, for experiments. `faults`: see bench/lib/service-process.js (tools/faults only).
 */
function startServiceProcess({ label, modulePath, exportName, options, faults, log, timeoutMs = 120_000 }) {
  const logLines = [];
  const memoryPeak = { usage: null };
  const handle = forkChild({
    script: path.join(__dirname, 'service-process.js'),
    label,
    startMessage: { type: 'start', modulePath, exportName, options, faults },
    log,
    timeoutMs,
    // The service's name is in its module's path (dist/out/apps/<name>/src/...).
    execArgv: [
      ...serviceNodeFlags(/apps\/([^/]+)\/src\//.exec(modulePath)[1]),
      ...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE_DIR)}`] : []),
      ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean) : []),
    ],
    onMessage: (m) => {
      if (m.type === 'log') {
        logLines.push(m.line);
        if (logLines.length <= 20) log(`${label}: ${m.line}`);
      } else if (m.type === 'memory-peak') {
        memoryPeak.usage = m.usage;
      }
    },
  });
  return {
    ...handle,
    /** process.memoryUsage() of the service at its highest resident set so far (bytes). */
    memoryPeak,
    logLines,
    errorLines: () => logLines.filter((l) => /"level":"error"/.test(l)),
    warnLines: () => logLines.filter((l) => /"level":"warn"/.test(l)),
  };
}

/**
 * tools/infra/mail-catcher.js in its own Node process (bench/lib/mail-catcher-process.js), so its
 * CPU is counted apart from the load generator's. Every mail it accepts arrives here as
 * { acceptedAt (ms since epoch, when SMTP accepted it), messageId, to, subject, text }.
 */
function startMailCatcherProcess({ log, timeoutMs = 30_000 }) {
  const messages = [];
  const listeners = [];
  const handle = forkChild({
    script: path.join(__dirname, 'mail-catcher-process.js'),
    label: 'mail catcher',
    startMessage: { type: 'start' },
    log,
    timeoutMs,
    onMessage: (m) => {
      if (m.type === 'mail') {
        messages.push(m.mail);
        for (const l of listeners) l(m.mail);
      }
    },
  });
  return {
    ...handle,
    messages,
    onMail: (fn) => listeners.push(fn),
  };
}

/** Samples the service's Postgres sessions (every session not named `${ownPrefix}...`) every intervalMs. */
function sessionSampler(pool, ownPrefix, intervalMs = 100) {
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
              AND application_name NOT LIKE $1`,
          [`${ownPrefix}%`],
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

/** One HTTP request to 127.0.0.1; resolves with { status, text }. */
function httpRequest({ method = 'GET', url, body, headers = {}, timeoutMs = 30_000, agent }) {
  const u = new URL(url);
  const payload = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method,
        headers: payload ? { 'content-length': payload.length, ...headers } : headers,
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
    req.end(payload ?? undefined);
  });
}

/** The installed version of a package (its package.json may be hidden behind "exports"). */
function packageVersion(name) {
  try {
    const file = path.join(ROOT, 'node_modules', ...name.split('/'), 'package.json');
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The versions every benchmark reports beside its figures: Node, the broker, the database and the
 * libraries between them; `extra` (name -> version) goes before the git commit.
 */
function stackVersions({ kafkaVersion, postgresVersion, extra = {} }) {
  return {
    node: process.version,
    kafka: kafkaVersion,
    postgres: postgresVersion,
    kafkajs: packageVersion('kafkajs'),
    pg: packageVersion('pg'),
    nestjs: packageVersion('@nestjs/core'),
    typeorm: packageVersion('typeorm'),
    ...extra,
    git: gitDescribe(),
  };
}

function gitDescribe() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', timeout: 5000 }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', timeout: 5000 }).trim();
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

/**
 * Phases during which processes other than ours used more than `threshold` of the machine's busy
 * CPU time, and at least `minOtherSeconds` (a phase of a few hundred ms is all rounding: CPU time
 * is counted in 10 ms ticks). `phases`: phase name -> the result of cpuMeter(...).stop().
 */
function disturbedPhases(phases, { threshold = 0.15, minOtherSeconds = 0.5 } = {}) {
  const out = [];
  for (const [phase, cpu] of Object.entries(phases)) {
    const seconds = cpu.cpuSeconds;
    if (seconds.other === null || seconds.other === undefined || seconds.other < minOtherSeconds) continue;
    const busy = Object.values(seconds).reduce((s, v) => s + (v || 0), 0);
    if (busy > 0 && seconds.other / busy > threshold) out.push({ phase, other: seconds.other, share: round((100 * seconds.other) / busy, 0) });
  }
  return out;
}

function mapRound(summary, digits = 2) {
  return Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, round(v, digits)]));
}

/**
 * The hand-written part of a docs section: from the line `marker` (e.g. "### Where the time goes")
 * up to the next "## " heading, as it stands in `docsFile` now; '' when there is none. A
 * benchmark's markdown() appends it, so bench/run.js's rewrite of the section keeps it.
 */
function handWrittenPart(docsFile, section, marker) {
  let text;
  try {
    text = fs.readFileSync(docsFile, 'utf8').replace(/\r\n/g, '\n');
  } catch {
    return '';
  }
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === `## ${section}`);
  if (start === -1) return '';
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end === -1) end = lines.length;
  const from = lines.findIndex((l, i) => i > start && i < end && l.trimEnd() === marker);
  if (from === -1) return '';
  return lines.slice(from, end).join('\n').trimEnd();
}

/** A benchmark's checks: each one logged, the first that fails ends the run. */
function checkList(log) {
  const checks = [];
  const check = (name, ok, detail) => {
    checks.push({ name, ok, detail });
    if (!ok) throw new Error(`check failed: ${name}: ${detail}`);
    log(`bench: ok: ${name} (${detail})`);
  };
  return { checks, check };
}

/**
 * Throwaway Kafka and Postgres on this machine, never the shell's DATABASE_URL or KAFKA_BROKERS,
 * stopped by `cleanup`; also loads the compiled code's path aliases. Resolves with the
 * infrastructure and the Kafka version it runs.
 */
async function throwawayInfrastructure({ cleanup, log }) {
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS']) {
    if (process.env[name]) log(`bench: ignoring ${name} from the environment; the benchmark uses throwaway infrastructure`);
    delete process.env[name];
  }
  if (process.env.DRAAIBOEK_DOCKER === undefined) process.env.DRAAIBOEK_DOCKER = '0';
  require('reflect-metadata');
  require('../../tools/run/register-paths');
  const { provideInfrastructure } = require('../../tools/infra');
  log('bench: starting Kafka and Postgres (throwaway)...');
  const infra = await provideInfrastructure({ mode: 'test', log: (line) => log(`infra: ${line}`) });
  cleanup.add('infrastructure', () => infra.stop(), 60_000);
  const kafkaLine = infra.describe.find((l) => l.startsWith('kafka:')) || '';
  return { infra, kafkaLine, kafkaVersion: (/Apache Kafka ([\w.-]+)/.exec(kafkaLine) || [])[1] || kafkaLine };
}

module.exports = {
  ROOT,
  checkList,
  throwawayInfrastructure,
  Cleanup,
  runBounded,
  startServiceProcess,
  startMailCatcherProcess,
  sessionSampler,
  httpRequest,
  packageVersion,
  gitDescribe,
  stackVersions,
  disturbedPhases,
  mapRound,
  handWrittenPart,
};
