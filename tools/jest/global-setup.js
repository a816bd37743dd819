'use strict';
// Provides real Kafka and Postgres for the whole suite unless KAFKA_BROKERS and
// DATABASE_URL already point at them. Workers inherit the environment set here.
const { provideInfrastructure } = require('../infra');

module.exports = async function globalSetup() {
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) return;
  const started = Date.now();
  const infra = await provideInfrastructure({ mode: 'test', log: (line) => process.stderr.write(`[infra] ${line}\n`) });
  globalThis.__DRAAIBOEK_INFRA__ = infra;
  process.env.KAFKA_BROKERS = infra.kafkaBrokers;
  process.env.DATABASE_URL = infra.databaseUrl;
  process.stderr.write(`\n[infra] ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n${infra.describe.map((l) => `[infra] ${l}`).join('\n')}\n`);
};
