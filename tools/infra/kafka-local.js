'use strict';

/**
 * A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) run from
 * the jars Apache publishes on Maven Central, for machines without a Docker engine.
 *
 * - ensureKafkaJars(): resolves kafka_2.13 + its runtime closure + a logging backend
 *   with `mvn dependency:copy-dependencies` (deploy/local-kafka/pom.xml) into a cache
 *   folder outside the repo, once per machine.
 * - startLocalKafka(): writes server.properties, formats the storage once, starts
 *   `java ... kafka.Kafka server.properties`, waits until a kafkajs admin answers.
 *
 * Plain CommonJS, Node 20 builtins + kafkajs only.
 */

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy', 'local-kafka');
const POM = path.join(DEPLOY_DIR, 'pom.xml');

/** Preferred Kafka version, and the line we fall back to if it cannot be resolved. */
const DEFAULT_KAFKA_VERSION = '4.1.2';
const FALLBACK_KAFKA_VERSION = '3.9.1';

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
const MARKER_FILE = '.resolved.json';

const noopLog = () => {};

function cacheRoot() {
  return process.env.DRAAIBOEK_CACHE_DIR || path.join(os.homedir(), '.cache', 'draaiboek');
}

function kafkaMajor(version) {
  return Number.parseInt(String(version).split('.')[0], 10);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function exists(p) {
  try {
    fs.accessSync(p);
    return true;
  } catch {
    return false;
  }
}

function isProcessAlive(pid) {
  if (!pid || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by its parent) still answers kill(0).
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    // no /proc: trust kill(0)
  }
  return true;
}

/** True if pid is alive and its command line looks like our Kafka broker. */
function isKafkaProcess(pid) {
  if (!isProcessAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka');
  } catch {
    return true; // no /proc (not Linux): alive is the best we know
  }
}

function tailFile(file, lines = 40) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n').trimEnd();
  } catch {
    return '(no log file)';
  }
}

function runCommand(cmd, args, { cwd, logFile, env } = {}) {
  return new Promise((resolve, reject) => {
    let out;
    try {
      out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
    } catch (err) {
      reject(err);
      return;
    }
    const child = childProcess.spawn(cmd, args, {
      cwd,
      env: env || process.env,
      stdio: ['ignore', out, out],
    });
    const done = (fn) => {
      if (typeof out === 'number') fs.closeSync(out);
      fn();
    };
    child.on('error', (err) => done(() => reject(err)));
    child.on('exit', (code, signal) => done(() => resolve({ code, signal })));
  });
}

function javaBinary() {
  if (process.env.JAVA_HOME) {
    const candidate = path.join(process.env.JAVA_HOME, 'bin', 'java');
    if (exists(candidate)) return candidate;
  }
  return 'java';
}

// ---------------------------------------------------------------------------
// Jars
// ---------------------------------------------------------------------------

function versionDir(version) {
  return path.join(cacheRoot(), `kafka-${version}`);
}

function readMarker(version) {
  const dir = versionDir(version);
  const libs = path.join(dir, 'libs');
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, MARKER_FILE), 'utf8'));
    if (marker.version !== version) return null;
    // The marker lists the jars; all of them must still be there.
    for (const jar of marker.jars) {
      if (!exists(path.join(libs, jar))) return null;
    }
    return { version, libs, jars: marker.jars };
  } catch {
    return null;
  }
}

/**
 * Cross-process lock (a directory holding the owner's pid) so that two runs starting
 * at once on a fresh machine resolve once, and never swap the libs folder under a
 * broker that is starting. A lock whose owner is gone is taken over.
 */
async function withResolveLock(dir, fn, { timeoutMs = 15 * 60_000 } = {}) {
  const lock = path.join(dir, '.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fsp.mkdir(lock);
      await fsp.writeFile(path.join(lock, 'pid'), `${process.pid}\n`);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const owner = readPidFile(path.join(lock, 'pid'));
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if ((owner && !isProcessAlive(owner)) || (!owner && age > 30_000)) {
        await fsp.rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`kafka: timed out waiting for another process resolving the jars (${lock})`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.rm(lock, { recursive: true, force: true }).catch(() => {});
  }
}

async function resolveVersion(version, log) {
  const dir = versionDir(version);
  await fsp.mkdir(dir, { recursive: true });
  return withResolveLock(dir, async () => readMarker(version) || resolveVersionLocked(version, log));
}

async function resolveVersionLocked(version, log) {
  const dir = versionDir(version);
  const libs = path.join(dir, 'libs');
  // Leftovers of interrupted resolves (we hold the lock: nobody else is writing).
  for (const name of await fsp.readdir(dir)) {
    if (name.startsWith('libs.partial-')) await fsp.rm(path.join(dir, name), { recursive: true, force: true });
  }
  const tmp = path.join(dir, `libs.partial-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  const mvnLog = path.join(dir, 'mvn.log');
  const args = [
    '-q',
    '-B',
    '-f',
    POM,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${tmp}`,
    `-Dkafka.version=${version}`,
  ];
  if (kafkaMajor(version) < 4) args.push('-Dkafka.line=3');
  log(`kafka: resolving Apache Kafka ${version} jars from Maven Central (mvn, once per machine) into ${libs}`);
  const started = Date.now();
  await fsp.writeFile(mvnLog, `$ mvn ${args.join(' ')}\n`);
  let result;
  try {
    result = await runCommand(process.env.MVN || 'mvn', args, { cwd: DEPLOY_DIR, logFile: mvnLog });
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    if (err.code === 'ENOENT') {
      throw new Error(
        'kafka: Maven (mvn) is not on PATH; it is needed once per machine to fetch the Kafka broker jars ' +
          'from Maven Central (or set KAFKA_BROKERS to use an existing broker)',
      );
    }
    throw err;
  }
  const jars = exists(tmp) ? (await fsp.readdir(tmp)).filter((f) => f.endsWith('.jar')).sort() : [];
  if (result.code !== 0 || !jars.some((j) => j.startsWith(`kafka_2.13-${version}`))) {
    await fsp.rm(tmp, { recursive: true, force: true });
    const err = new Error(
      `kafka: mvn could not resolve org.apache.kafka:kafka_2.13:${version} (exit ${result.code}${result.signal ? `, ${result.signal}` : ''}). ` +
        `Tail of ${mvnLog}:\n${tailFile(mvnLog, 25)}`,
    );
    err.code = 'KAFKA_RESOLVE_FAILED';
    throw err;
  }
  // Another process may have finished the same resolve meanwhile: keep theirs.
  const already = readMarker(version);
  if (already) {
    await fsp.rm(tmp, { recursive: true, force: true });
    return already;
  }
  await fsp.rm(path.join(dir, MARKER_FILE), { force: true });
  await fsp.rm(libs, { recursive: true, force: true });
  await fsp.rename(tmp, libs);
  const markerTmp = path.join(dir, `${MARKER_FILE}.${process.pid}`);
  await fsp.writeFile(
    markerTmp,
    JSON.stringify({ version, jars, resolvedAt: new Date().toISOString() }, null, 2) + '\n',
  );
  await fsp.rename(markerTmp, path.join(dir, MARKER_FILE));
  log(`kafka: resolved ${jars.length} jars for Kafka ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { version, libs, jars };
}

/**
 * Resolves (once per machine) the Kafka broker runtime. Returns { version, libs, jars }.
 * Version: env DRAAIBOEK_KAFKA_VERSION, else 4.1.2 with a fallback to 3.9.1 if 4.1.2
 * cannot be resolved.
 */
async function ensureKafkaRuntime({ log = noopLog, version } = {}) {
  const pinned = version || process.env.DRAAIBOEK_KAFKA_VERSION;
  const candidates = pinned ? [pinned] : [DEFAULT_KAFKA_VERSION, FALLBACK_KAFKA_VERSION];
  const main = readMarker(candidates[0]);
  if (main) return main;
  // Do not retry the main version on every start if only the fallback could be
  // resolved on this machine (delete <cache>/kafka-<version>/failed to retry).
  if (candidates.length > 1 && exists(path.join(versionDir(candidates[0]), 'failed'))) {
    const fallback = readMarker(candidates[1]);
    if (fallback) return fallback;
  }
  let lastError;
  for (const v of candidates) {
    try {
      const runtime = await resolveVersion(v, log);
      await fsp.rm(path.join(versionDir(v), 'failed'), { force: true });
      return runtime;
    } catch (err) {
      lastError = err;
      if (err.code !== 'KAFKA_RESOLVE_FAILED') throw err;
      log(err.message.split("\n")[0]);
      await fsp.writeFile(path.join(versionDir(v), 'failed'), new Date().toISOString() + '\n').catch(() => {});
    }
  }
  throw lastError;
}

/** Absolute path of a folder holding the Kafka broker jars (resolved once per machine). */
async function ensureKafkaJars({ log = noopLog, version } = {}) {
  return (await ensureKafkaRuntime({ log, version })).libs;
}

// ---------------------------------------------------------------------------
// Ports / readiness
// ---------------------------------------------------------------------------

/** A TCP port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function isPortOpen(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const finish = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

function quietKafkaClient(brokers, clientId) {
  const { Kafka, logLevel } = require('kafkajs');
  return new Kafka({
    clientId,
    brokers: Array.isArray(brokers) ? brokers : String(brokers).split(','),
    logLevel: logLevel.NOTHING,
    logCreator: () => () => {},
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
}

/** One describeCluster attempt; resolves to the cluster description or null. */
async function describeClusterOnce(brokers) {
  const admin = quietKafkaClient(brokers, 'draaiboek-infra-probe').admin();
  try {
    await admin.connect();
    return await admin.describeCluster();
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** True if a Kafka broker answers describeCluster on 127.0.0.1:port. */
async function isKafkaAnswering(port) {
  if (!(await isPortOpen(port))) return false;
  return (await describeClusterOnce(`127.0.0.1:${port}`)) !== null;
}

async function waitForKafka({ brokers, pid, logFile, timeoutMs = READY_TIMEOUT_MS, exited }) {
  const deadline = Date.now() + timeoutMs;
  const port = Number(brokers.split(':').pop());
  for (;;) {
    if (exited && exited()) {
      throw new Error(
        `kafka: the broker process ${pid} exited during startup. Tail of ${logFile}:\n${tailFile(logFile)}`,
      );
    }
    if (!exited && pid && !isProcessAlive(pid)) {
      throw new Error(
        `kafka: the broker process ${pid} is gone during startup. Tail of ${logFile}:\n${tailFile(logFile)}`,
      );
    }
    if ((await isPortOpen(port, '127.0.0.1', 500)) && (await describeClusterOnce(brokers))) return;
    if (Date.now() > deadline) {
      throw new Error(
        `kafka: the broker at ${brokers} (pid ${pid}) did not answer describeCluster within ${Math.round(timeoutMs / 1000)} s. ` +
          `Tail of ${logFile}:\n${tailFile(logFile)}`,
      );
    }
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------
// Broker
// ---------------------------------------------------------------------------

function layout(dataDir) {
  const abs = path.resolve(dataDir);
  const parent = path.dirname(abs);
  return {
    dataDir: abs,
    parent,
    configFile: path.join(parent, 'kafka-server.properties'),
    pidFile: path.join(parent, 'kafka.pid'),
    stateFile: path.join(parent, 'kafka.json'),
    defaultLogFile: path.join(parent, 'kafka.log'),
  };
}

function serverProperties({ version, port, controllerPort, dataDir }) {
  const lines = [
    '# Written by tools/infra/kafka-local.js: single-node KRaft broker+controller on loopback.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'group.initial.rebalance.delay.ms=0',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    // The default reserves 128 MiB of heap at start; Kafka's own test kit lowers it too.
    'log.cleaner.dedupe.buffer.size=2097152',
    'num.network.threads=2',
    'num.io.threads=4',
    'num.recovery.threads.per.data.dir=1',
  ];
  if (kafkaMajor(version) >= 4) {
    lines.push(
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'share.coordinator.state.topic.num.partitions=3',
    );
  }
  return lines.join('\n') + '\n';
}

/** A KRaft cluster id as Kafka's Uuid.randomUuid() prints it: 16 random bytes, base64url. */
function randomClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function jvmArgs({ version, libs, logFile }) {
  const args = [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${path.dirname(logFile)}`,
    `-Ddraaiboek.kafka.logLevel=${process.env.DRAAIBOEK_KAFKA_LOG_LEVEL || 'WARN'}`,
  ];
  if (kafkaMajor(version) >= 4) {
    args.push(`-Dlog4j2.configurationFile=${path.join(DEPLOY_DIR, 'log4j2.xml')}`);
  } else {
    args.push(`-Dlog4j.configuration=file:${path.join(DEPLOY_DIR, 'log4j.properties')}`);
  }
  // Node passes the classpath wildcard to java unexpanded (no shell), as java wants it.
  args.push('-cp', path.join(libs, '*'));
  return args;
}

async function formatStorageIfNeeded({ version, libs, dataDir, configFile, logFile, log }) {
  if (exists(path.join(dataDir, 'meta.properties'))) return false;
  await fsp.mkdir(dataDir, { recursive: true });
  const clusterId = randomClusterId();
  log(`kafka: formatting ${dataDir} (cluster id ${clusterId})`);
  fs.appendFileSync(logFile, `--- ${new Date().toISOString()} kafka.tools.StorageTool format\n`);
  const { code, signal } = await runCommand(
    javaBinary(),
    [...jvmArgs({ version, libs, logFile }), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile],
    { logFile },
  );
  if (code !== 0) {
    throw new Error(
      `kafka: formatting the storage in ${dataDir} failed (exit ${code}${signal ? `, ${signal}` : ''}). ` +
        `Tail of ${logFile}:\n${tailFile(logFile)}`,
    );
  }
  return true;
}

function readPidFile(pidFile) {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function killAndWait(pid, { timeoutMs = STOP_TIMEOUT_MS, group = false } = {}) {
  const target = group ? -pid : pid;
  const send = (sig) => {
    try {
      process.kill(target, sig);
    } catch {
      if (group) {
        try {
          process.kill(pid, sig);
        } catch {
          // already gone
        }
      }
    }
  };
  if (!isProcessAlive(pid)) return;
  send('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return;
    await sleep(100);
  }
  send('SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (Date.now() < killDeadline && isProcessAlive(pid)) await sleep(50);
}

/**
 * Watches the parent through a pipe: when this Node process ends in any way (even
 * SIGKILL) the pipe closes and the watchdog stops the broker (TERM, then KILL) and
 * removes the throwaway folder, if any.
 */
function spawnWatchdog(pid, removeDir) {
  const script = [
    'cat >/dev/null 2>&1',
    'kill -TERM "$KPID" 2>/dev/null',
    'i=0',
    'while kill -0 "$KPID" 2>/dev/null && [ "$i" -lt 40 ]; do sleep 0.5; i=$((i+1)); done',
    'kill -KILL "$KPID" 2>/dev/null',
    'if [ -n "$KDIR" ]; then sleep 0.2; rm -rf "$KDIR"; fi',
  ].join('\n');
  const watchdog = childProcess.spawn('sh', ['-c', script], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    env: { PATH: process.env.PATH || '/usr/bin:/bin', KPID: String(pid), KDIR: removeDir || '' },
  });
  watchdog.on('error', () => {});
  watchdog.stdin.on('error', () => {});
  watchdog.unref();
  watchdog.stdin.unref();
  return watchdog;
}

/**
 * Starts (or, when detached, reuses) a local single-node Kafka broker.
 *
 * @param {object} opts
 * @param {number} [opts.port=9092]            PLAINTEXT listener on 127.0.0.1
 * @param {number} [opts.controllerPort=9093] KRaft controller listener on 127.0.0.1
 * @param {string} opts.dataDir                log.dirs; config, pid and log files go beside it
 * @param {string} [opts.logFile]              broker stdout/stderr (default <dataDir>/../kafka.log)
 * @param {boolean} [opts.detached=false]      survive this process (dev broker); pid in <dataDir>/../kafka.pid
 * @param {string} [opts.removeOnStop]         a folder to delete once the broker is stopped (throwaway runs)
 * @param {number} [opts.readyTimeoutMs=90000] how long an attached broker may take to answer
 * @param {Function} [opts.log]
 * @returns {Promise<{brokers: string, pid: number, version: string, reused: boolean, stop: () => Promise<void>}>}
 */
async function startLocalKafka({
  port = 9092,
  controllerPort = 9093,
  dataDir,
  logFile,
  detached = false,
  removeOnStop,
  log = noopLog,
  version,
  readyTimeoutMs = READY_TIMEOUT_MS,
} = {}) {
  if (!dataDir) throw new Error('startLocalKafka: dataDir is required');
  const files = layout(dataDir);
  logFile = path.resolve(logFile || files.defaultLogFile);
  const brokers = `127.0.0.1:${port}`;
  await fsp.mkdir(files.parent, { recursive: true });
  await fsp.mkdir(path.dirname(logFile), { recursive: true });

  if (detached) {
    // Reuse a broker that already answers there, or one of ours that is still starting.
    const existingPid = readPidFile(files.pidFile);
    const ours = existingPid && isKafkaProcess(existingPid);
    if ((await isKafkaAnswering(port)) || ours) {
      if (ours) await waitForKafka({ brokers, pid: existingPid, logFile });
      const state = readState(files.stateFile);
      log(`kafka: reusing the broker already running at ${brokers}${ours ? ` (pid ${existingPid})` : ''}`);
      return {
        brokers,
        pid: ours ? existingPid : null,
        version: state && state.version,
        reused: true,
        logFile,
        stop: () => stopDetachedKafka({ dataDir: files.dataDir, log }),
      };
    }
    if (existingPid) await fsp.rm(files.pidFile, { force: true });
  }

  for (const p of [port, controllerPort]) {
    if (await isPortOpen(p)) {
      throw new Error(
        `kafka: port ${p} on 127.0.0.1 is already in use${p === port ? ' by something that is not a Kafka broker we can use' : ''}; ` +
          'stop it, choose other ports, or set KAFKA_BROKERS',
      );
    }
  }

  const runtime = await ensureKafkaRuntime({ log, version });
  await fsp.writeFile(
    files.configFile,
    serverProperties({ version: runtime.version, port, controllerPort, dataDir: files.dataDir }),
  );
  await fsp.appendFile(logFile, `--- ${new Date().toISOString()} starting Kafka ${runtime.version} on ${brokers}\n`);
  await formatStorageIfNeeded({ ...runtime, dataDir: files.dataDir, configFile: files.configFile, logFile, log });

  const out = fs.openSync(logFile, 'a');
  let child;
  try {
    child = childProcess.spawn(
      javaBinary(),
      [...jvmArgs({ ...runtime, logFile }), 'kafka.Kafka', files.configFile],
      { cwd: files.parent, stdio: ['ignore', out, out], detached },
    );
  } finally {
    fs.closeSync(out);
  }
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) =>
      reject(err.code === 'ENOENT' ? new Error('kafka: `java` (17+) is not on PATH and JAVA_HOME is not set') : err),
    );
  });
  const pid = child.pid;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.unref();
  log(`kafka: started Kafka ${runtime.version} broker pid ${pid} on ${brokers} (log ${logFile})`);

  if (detached) {
    await fsp.writeFile(files.pidFile, `${pid}\n`);
    await fsp.writeFile(
      files.stateFile,
      JSON.stringify({ pid, version: runtime.version, port, controllerPort, logFile, startedAt: new Date().toISOString() }) + '\n',
    );
    try {
      await waitForKafka({ brokers, pid, logFile, exited: () => exited });
    } catch (err) {
      await stopDetachedKafka({ dataDir: files.dataDir });
      throw err;
    }
    return {
      brokers,
      pid,
      version: runtime.version,
      reused: false,
      logFile,
      stop: () => stopDetachedKafka({ dataDir: files.dataDir, log }),
    };
  }

  // Attached: tied to this process. The exit hook covers normal exits; the watchdog
  // covers signals and crashes of this process.
  const watchdog = spawnWatchdog(pid, removeOnStop);
  const onExit = () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  };
  process.on('exit', onExit);

  let stopping = null;
  const stop = () => {
    if (!stopping) {
      stopping = (async () => {
        try {
          process.kill(watchdog.pid, 'SIGKILL');
        } catch {
          // gone
        }
        watchdog.stdin.destroy();
        await killAndWait(pid);
        process.removeListener('exit', onExit);
        if (removeOnStop) await fsp.rm(removeOnStop, { recursive: true, force: true }).catch(() => {});
        log(`kafka: stopped broker pid ${pid}`);
      })();
    }
    return stopping;
  };

  try {
    await waitForKafka({ brokers, pid, logFile, exited: () => exited, timeoutMs: readyTimeoutMs });
  } catch (err) {
    const tail = removeOnStop ? tailFile(logFile, 200) : null;
    await stop();
    if (tail && !exists(logFile)) {
      // The log lived in the throwaway folder: keep a copy for whoever debugs this.
      const keep = path.join(os.tmpdir(), `draaiboek-kafka-failed-${pid}.log`);
      fs.writeFileSync(keep, tail + '\n');
      err.message += `\n(broker log kept in ${keep})`;
    }
    throw err;
  }
  return { brokers, pid, version: runtime.version, reused: false, logFile, stop };
}

function readState(stateFile) {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Stops the detached broker whose pid file sits beside dataDir (<dataDir>/../kafka.pid).
 * Resolves to true if a broker was stopped, false if none was running.
 */
async function stopDetachedKafka({ dataDir, log = noopLog } = {}) {
  if (!dataDir) throw new Error('stopDetachedKafka: dataDir is required');
  const files = layout(dataDir);
  const pid = readPidFile(files.pidFile);
  let stopped = false;
  if (pid && isKafkaProcess(pid)) {
    log(`kafka: stopping the detached broker pid ${pid}`);
    await killAndWait(pid, { group: true });
    stopped = true;
  }
  await fsp.rm(files.pidFile, { force: true });
  return stopped;
}

/** Status of the detached broker beside dataDir: { running, answering, pid, brokers, version }. */
async function detachedKafkaStatus({ dataDir, port = 9092 } = {}) {
  const files = layout(dataDir);
  const pid = readPidFile(files.pidFile);
  const state = readState(files.stateFile);
  const effectivePort = (state && state.port) || port;
  const running = Boolean(pid && isKafkaProcess(pid));
  const answering = await isKafkaAnswering(effectivePort);
  return {
    running,
    answering,
    pid: running ? pid : null,
    brokers: `127.0.0.1:${effectivePort}`,
    version: state && state.version,
    logFile: (state && state.logFile) || files.defaultLogFile,
  };
}

module.exports = {
  DEFAULT_KAFKA_VERSION,
  FALLBACK_KAFKA_VERSION,
  ensureKafkaJars,
  ensureKafkaRuntime,
  startLocalKafka,
  stopDetachedKafka,
  detachedKafkaStatus,
  findFreePort,
  isKafkaAnswering,
  isPortOpen,
  // for tests / diagnostics
  _internal: { serverProperties, randomClusterId, cacheRoot, layout },
};
