#!/usr/bin/env node
'use strict';

/**
 * Dev infrastructure from the command line (npm run infra -- <command>):
 *
 *   up      provide Kafka + Postgres for the dev system (mode 'run'): prints one
 *           "# ..." line per component and KAFKA_BROKERS=... / DATABASE_URL=... lines
 *           (eval-able: `set -a; eval "$(node tools/infra/cli.js up)"; set +a`).
 *           The local Kafka broker is detached and keeps running. If a component only
 *           lives as long as this process (a Testcontainers container, an embedded
 *           PostgreSQL) the command stays in the foreground until Ctrl-C.
 *   down    stop the detached dev Kafka broker (<repo>/.local/kafka).
 *   status  tell whether the dev broker runs/answers and whether Postgres answers;
 *           exit 0 when the broker answers, 3 when it does not.
 */

const {
  provideInfrastructure,
  DEV_KAFKA_DATA_DIR,
  DEV_KAFKA_PORT,
  LOCAL_PG_ADMIN_URL,
  redactUrl,
  kafkaLocal,
  postgres,
} = require('./index');

const log = (line) => process.stderr.write(`${line}\n`);

function envLine(key, value) {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(value) ? `${key}=${value}` : `${key}='${value.replace(/'/g, `'\\''`)}'`;
}

async function up() {
  const infra = await provideInfrastructure({ mode: 'run', log });
  for (const line of infra.describe) process.stdout.write(`# ${line}\n`);
  process.stdout.write(`${envLine('KAFKA_BROKERS', infra.kafkaBrokers)}\n`);
  process.stdout.write(`${envLine('DATABASE_URL', infra.databaseUrl)}\n`);
  const processBound = infra.describe.some((l) => /Testcontainers|embedded PostgreSQL/.test(l));
  if (!processBound) return 0;
  log('# some of this lives only as long as this process: press Ctrl-C to stop it');
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await infra.stop();
  return 0;
}

async function down() {
  const stopped = await kafkaLocal.stopDetachedKafka({ dataDir: DEV_KAFKA_DATA_DIR, log });
  process.stdout.write(stopped ? 'kafka: dev broker stopped\n' : 'kafka: no dev broker was running\n');
  return 0;
}

async function status() {
  const s = await kafkaLocal.detachedKafkaStatus({ dataDir: DEV_KAFKA_DATA_DIR, port: DEV_KAFKA_PORT });
  let kafkaLine;
  if (s.running) {
    kafkaLine = `kafka: dev broker pid ${s.pid}${s.version ? ` (Apache Kafka ${s.version})` : ''} at ${s.brokers}, ${s.answering ? 'answering' : 'NOT answering yet'} (log ${s.logFile})`;
  } else if (s.answering) {
    kafkaLine = `kafka: no dev broker of ours, but a Kafka broker answers at ${s.brokers}`;
  } else {
    kafkaLine = `kafka: no dev broker running (${s.brokers} does not answer)`;
  }
  if (process.env.KAFKA_BROKERS) kafkaLine += `; note KAFKA_BROKERS=${process.env.KAFKA_BROKERS} overrides it`;
  process.stdout.write(`${kafkaLine}\n`);

  const pgUrl = process.env.DATABASE_URL || process.env.DRAAIBOEK_PG_ADMIN_URL || LOCAL_PG_ADMIN_URL;
  const pgUp = await postgres.isPostgresAnswering(pgUrl);
  process.stdout.write(
    `postgres: ${redactUrl(pgUrl)} ${pgUp ? 'answers' : 'does not answer'}${process.env.DATABASE_URL ? ' (DATABASE_URL)' : ''}\n`,
  );
  return s.answering ? 0 : 3;
}

async function main(argv) {
  const command = argv[2];
  switch (command) {
    case 'up':
      return up();
    case 'down':
      return down();
    case 'status':
      return status();
    default:
      process.stderr.write('usage: node tools/infra/cli.js up|down|status\n');
      return 2;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
