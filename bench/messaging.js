'use strict';
/**
 * Messaging benchmark (issue 10): the one consumer wrapper and the one outbox relay, each beside
 * raw kafkajs doing the same transport work with nothing else, in the same run, on the same broker
 * and database (throwaway, 127.0.0.1).
 *
 *   Consume: N ConsultationRecorded envelopes on a topic, read from the beginning by
 *     (a) a raw kafkajs `eachBatch` consumer that does nothing with them (the baseline);
 *     (b) EventConsumer with a batch handler that does nothing: decode, validate against the
 *         contract, inbox rows, commit (the path of declarations' lines);
 *     (c) EventConsumer with a single-event handler that does nothing: one transaction per event.
 *   Publish: N outbox rows of the same events
 *     (a) a raw kafkajs idempotent producer, acks=all, one request in flight, batches of 500 (baseline);
 *     (b) OutboxRelay started (producer connected) but held off by its lock, the rows committed to the
 *         outbox (not timed), then the lock released: release -> last row marked published.
 *   Relay latency: M single events committed one at a time by another connection (as an event handler
 *   or a replica does), each timed from its commit to its arrival at a consumer: p50/p99 per hop.
 *
 * Targets (issue 10): consume and publish at least 0.7 of raw; relay latency per hop p99 under 25 ms.
 * Run with `npm run bench -- messaging`. Knobs: BENCH_PARTITIONS_CONCURRENTLY (default: the services' setting), BENCH_EVENTS (N, default 100,000), BENCH_SINGLE_EVENTS
 * (for (c), default 5,000), BENCH_LATENCY_EVENTS (M, default 300).
 */

const crypto = require('node:crypto');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { envInt, round, latencySummary, formatNumber: fmt, machineInfo } = require('./lib/util');
const { ROOT, runBounded, packageVersion, gitDescribe, handWrittenPart, throwawayInfrastructure } = require('./lib/harness');

const NAME = 'messaging';
const DOCS_SECTION = 'Messaging';
const HAND_WRITTEN_MARKER = '### Where the time goes';
const DOCS_FILE = path.join(ROOT, 'docs', 'benchmarks.md');

function parameters() {
  return {
    events: envInt('BENCH_EVENTS', 100_000),
    singleEvents: envInt('BENCH_SINGLE_EVENTS', 5_000),
    latencyEvents: envInt('BENCH_LATENCY_EVENTS', 300),
    // As the services run their consumers (ServiceConfig.KAFKA_PARTITIONS_CONCURRENTLY) unless set.
    partitionsConcurrently: envInt('BENCH_PARTITIONS_CONCURRENTLY', 0),
    totalTimeoutMs: envInt('BENCH_TOTAL_TIMEOUT_MS', 1_200_000),
  };
}

async function run({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const params = parameters();
  return runBounded({ totalTimeoutMs: params.totalTimeoutMs, log, work: (cleanup) => measure(params, cleanup, log) });
}

async function measure(params, cleanup, log) {
  const { infra, kafkaVersion } = await throwawayInfrastructure({ cleanup, log });
  const contracts = require('@draaiboek/contracts');
  const platform = require('@draaiboek/platform');
  const messaging = require('@draaiboek/messaging');
  const { DataSource } = require('typeorm');
  const fixture = require(path.join(ROOT, 'libs', 'contracts', 'fixtures', 'ConsultationRecorded.v1.json'));

  if (params.partitionsConcurrently === 0) params.partitionsConcurrently = new platform.ServiceConfig().KAFKA_PARTITIONS_CONCURRENTLY;
  const startedAt = new Date();
  const machine = machineInfo();
  const logger = new platform.JsonLogger('bench-messaging', 'error', () => undefined);
  const settings = { clientId: 'bench-messaging', brokers: infra.kafkaBrokers.split(','), topicPrefix: `m${crypto.randomBytes(4).toString('hex')}.` };
  const kafka = messaging.createKafka(settings, logger);
  const topicDef = contracts.ConsultationRecorded.v1.topic;
  const topic = messaging.physicalTopic(settings, topicDef);
  params.topicPartitions = topicDef.partitions;
  await messaging.provisionTopics(kafka, settings, contracts.ALL_TOPICS);

  const dataSource = new DataSource(
    platform.serviceDataSourceOptions({
      url: infra.databaseUrl,
      schema: 'bench_messaging',
      entities: messaging.MESSAGING_ENTITIES,
      migrations: messaging.MESSAGING_MIGRATIONS,
    }),
  );
  await dataSource.initialize();
  cleanup.add('data source', () => dataSource.destroy());
  await platform.migrateServiceDatabase(dataSource, 'bench_messaging');

  const envelopeOf = () => {
    const id = crypto.randomUUID();
    return contracts.createEnvelope({ type: fixture.type, source: fixture.source, subject: id, data: { ...fixture.data, consultationId: id } });
  };

  // ---- publish: raw producer baseline -------------------------------------------------------
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  cleanup.add('producer', () => producer.disconnect());
  const rawBatches = [];
  for (let start = 0; start < params.events; start += 500) {
    rawBatches.push(
      Array.from({ length: Math.min(500, params.events - start) }, () => {
        const e = envelopeOf();
        return { key: e.subject, value: JSON.stringify(e), headers: { 'content-type': contracts.CLOUDEVENTS_CONTENT_TYPE } };
      }),
    );
  }
  let t = performance.now();
  for (const messages of rawBatches) await producer.send({ topic, acks: -1, messages });
  const rawProduceMs = performance.now() - t;
  log(`bench: raw producer: ${fmt(params.events, 0)} in ${fmt(rawProduceMs / 1000, 2)} s`);

  // ---- publish: outbox relay ----------------------------------------------------------------
  // The relay is started (its producer connected, as the raw one's is) while another connection
  // holds the lock its passes take, so that it publishes nothing until the rows are written.
  const relay = new messaging.OutboxRelay(kafka, settings, dataSource, logger, { pollIntervalMs: 200 });
  const gate = dataSource.createQueryRunner();
  const relayLock = [`draaiboek:outbox:${settings.clientId}`];
  await gate.query('SELECT pg_advisory_lock(hashtext($1))', relayLock);
  await relay.start();
  cleanup.add('relay', () => relay.stop());
  const writer = new messaging.OutboxWriter('/draaiboek/bench');
  for (let start = 0; start < params.events; start += 1000) {
    await dataSource.transaction(async (manager) => {
      for (let i = start; i < Math.min(params.events, start + 1000); i += 1) await writer.append(manager, contracts.ConsultationRecorded.v1, envelopeOf().data);
    });
  }
  t = performance.now();
  await gate.query('SELECT pg_advisory_unlock(hashtext($1))', relayLock);
  await gate.release();
  relay.nudge();
  while ((await relay.pendingCount()) > 0) await new Promise((r) => setTimeout(r, 20));
  const relayMs = performance.now() - t;
  log(`bench: relay: ${fmt(params.events, 0)} in ${fmt(relayMs / 1000, 2)} s`);

  // The topic now holds 2N events: the consumers below read the first N (the raw producer's).
  // ---- consume: raw eachBatch baseline ------------------------------------------------------
  const consumeRaw = async () => {
    const consumer = kafka.consumer({ groupId: `${settings.topicPrefix}raw`, allowAutoTopicCreation: false });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    let first = null;
    let done;
    const all = new Promise((resolve) => (done = resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        if (first === null) first = performance.now();
        seen += batch.messages.length;
        if (seen >= params.events) done(performance.now());
      },
    });
    const end = await all;
    await consumer.disconnect();
    return { ms: end - first, count: seen };
  };
  const raw = await consumeRaw();
  log(`bench: raw consume: ${fmt(raw.count, 0)} in ${fmt(raw.ms / 1000, 2)} s`);

  const consumeWrapped = async (name, { batch, count }) => {
    const s = { ...settings, clientId: name };
    let applied = 0;
    let first = null;
    let done;
    const all = new Promise((resolve) => (done = resolve));
    const noop = async () => undefined;
    const consumer = new messaging.EventConsumer(kafka, dataSource, logger, {
      settings: s,
      topics: [topicDef],
      handlers: batch ? new Map() : new Map([[fixture.type, noop]]),
      batchHandlers: batch ? new Map([[fixture.type, noop]]) : undefined,
      partitionsConsumedConcurrently: params.partitionsConcurrently,
    });
    // Where the wall-clock time goes: the main thread's busy share (event-loop utilisation) and
    // kafkajs's fetches, which it makes only after every batch of the fetch before is handled.
    let eluAtFirst = null;
    let eluAtEnd = null;
    const fetches = { count: 0, ms: 0 };
    consumer.onOutcome(() => {
      if (first === null) {
        first = performance.now();
        eluAtFirst = performance.eventLoopUtilization();
      }
      applied += 1;
      if (applied === count) {
        eluAtEnd = performance.eventLoopUtilization(eluAtFirst);
        done(performance.now());
      }
    });
    await consumer.start();
    const kafkaConsumer = consumer.consumer; // the wrapper's kafkajs consumer, for its instrumentation events
    kafkaConsumer.on(kafkaConsumer.events.FETCH, ({ payload }) => {
      if (first === null || eluAtEnd !== null) return;
      fetches.count += 1;
      fetches.ms += payload.duration;
    });
    const end = await all;
    await consumer.stop();
    return { ms: end - first, count, mainThreadBusy: round(eluAtEnd.utilization, 2), fetches: { count: fetches.count, ms: round(fetches.ms, 0) } };
  };
  const batched = await consumeWrapped('bench-batch', { batch: true, count: params.events });
  log(`bench: wrapped batch consume: ${fmt(batched.count, 0)} in ${fmt(batched.ms / 1000, 2)} s`);
  const single = await consumeWrapped('bench-single', { batch: false, count: params.singleEvents });
  log(`bench: wrapped single consume: ${fmt(single.count, 0)} in ${fmt(single.ms / 1000, 2)} s`);

  // ---- relay latency per hop ----------------------------------------------------------------
  const latencyTopicDef = contracts.SessionScheduled.v1.topic;
  const sessionFixture = require(path.join(ROOT, 'libs', 'contracts', 'fixtures', 'SessionScheduled.v1.json'));
  const arrivals = new Map();
  const probe = kafka.consumer({ groupId: `${settings.topicPrefix}latency` });
  await probe.connect();
  await probe.subscribe({ topic: messaging.physicalTopic(settings, latencyTopicDef), fromBeginning: true });
  await probe.run({ eachMessage: async ({ message }) => void arrivals.set(message.key.toString(), performance.now()) });
  const other = new DataSource({ ...dataSource.options });
  await other.initialize();
  cleanup.add('second data source', () => other.destroy());
  const committedAt = new Map();
  await new Promise((r) => setTimeout(r, 3000)); // the probe has joined its group
  for (let i = 0; i < params.latencyEvents; i += 1) {
    const data = { ...sessionFixture.data, sessionId: crypto.randomUUID() };
    await other.transaction((manager) => writer.append(manager, contracts.SessionScheduled.v1, data));
    committedAt.set(data.sessionId, performance.now());
    await new Promise((r) => setTimeout(r, 10));
  }
  const deadline = Date.now() + 60_000;
  while ([...committedAt.keys()].some((k) => !arrivals.has(k)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await probe.disconnect();
  const latencies = [...committedAt].filter(([k]) => arrivals.has(k)).map(([k, at]) => arrivals.get(k) - at);
  if (latencies.length !== params.latencyEvents) throw new Error(`only ${latencies.length} of ${params.latencyEvents} latency events arrived`);
  const latency = latencySummary(latencies);

  const rate = (n, ms) => round((n * 1000) / ms, 0);
  const ratio = (a, b) => round(a / b, 2);
  const rawConsumeRate = rate(raw.count, raw.ms);
  const rawProduceRate = rate(params.events, rawProduceMs);
  const measures = [
    { key: 'consume.batch', label: 'Consume -> validate -> inbox -> no-op batch handler -> commit', value: rate(batched.count, batched.ms), unit: 'events/s', baseline: { label: 'raw kafkajs eachBatch, no processing', value: rawConsumeRate, unit: 'records/s' }, target: 0.7 },
    { key: 'consume.single', label: 'Consume -> validate -> inbox -> no-op handler -> commit, one transaction per event', value: rate(single.count, single.ms), unit: 'events/s', baseline: { label: 'raw kafkajs eachBatch, no processing', value: rawConsumeRate, unit: 'records/s' }, target: null },
    { key: 'publish.relay', label: 'Outbox -> relay -> Kafka (acks=all) -> rows marked', value: rate(params.events, relayMs), unit: 'events/s', baseline: { label: 'raw kafkajs idempotent producer, acks=all, batches of 500', value: rawProduceRate, unit: 'messages/s' }, target: 0.7 },
  ].map((m) => ({ ...m, ratio: ratio(m.value, m.baseline.value) }));

  return {
    benchmark: NAME,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    params,
    machine,
    versions: { node: process.version, kafka: kafkaVersion, kafkajs: packageVersion('kafkajs'), pg: packageVersion('pg'), typeorm: packageVersion('typeorm'), classValidator: packageVersion('class-validator'), git: gitDescribe() },
    measures,
    consumeBatchDetail: { mainThreadBusy: batched.mainThreadBusy, fetches: batched.fetches },
    latency: { events: latencies.length, ...Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, round(v, 1)])) },
  };
}

function ratioText(m) {
  return `${fmt(m.ratio, 2)}×${m.target ? ` (target ${m.target}×: ${m.ratio >= m.target ? 'met' : '**not met**'})` : ''}`;
}

function markdown(result) {
  const { params: p, machine: m, versions: v, latency: l } = result;
  const lines = [
    `_Generated by \`npm run bench -- ${NAME}\` on ${result.finishedAt.slice(0, 10)} (commit ${v.git}); the next run rewrites this section, except the hand-written part under "${HAND_WRITTEN_MARKER.replace(/^#+ /, '')}"._`,
    '',
    `${fmt(p.events, 0)} ConsultationRecorded events (${fmt(p.singleEvents, 0)} for the one-transaction-per-event path), ${p.partitionsConcurrently} partitions of the topic's ${p.topicPartitions} consumed at once by the wrapper (as the services run it), one local Apache Kafka broker and one scratch database, all in the benchmark's process. Ratio = Draaiboek ÷ raw kafkajs.`,
    '',
    '| Measure | Draaiboek | Baseline (same run) | Ratio |',
    '| --- | ---: | --- | ---: |',
    ...result.measures.map((x) => `| ${x.label} | ${fmt(x.value, 0)} ${x.unit} | ${x.baseline.label}: ${fmt(x.baseline.value, 0)} ${x.baseline.unit} | ${ratioText(x)} |`),
    `| Relay latency per hop: commit by another connection -> on a consumer, p50 / p99 (${l.events} events, 10 ms apart) | ${fmt(l.p50, 1)} / ${fmt(l.p99, 1)} ms | target p99 < 25 ms | ${l.p99 < 25 ? 'met' : '**not met**'} |`,
    '',
    `While the wrapper consumed in batches, its main thread was busy ${fmt(result.consumeBatchDetail.mainThreadBusy * 100, 0)} % of the time (event-loop utilisation); it waited ${fmt(result.consumeBatchDetail.fetches.ms, 0)} ms in ${fmt(result.consumeBatchDetail.fetches.count, 0)} fetches, which kafkajs makes only after every batch of the fetch before is handled.`,
    '',
    '**Machine and versions**',
    '',
    `- ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB RAM, ${m.platform}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
    `- Node ${v.node}, Apache Kafka ${v.kafka}, kafkajs ${v.kafkajs}, pg ${v.pg}, TypeORM ${v.typeorm}, class-validator ${v.classValidator}.`,
  ];
  const kept = handWrittenPart(DOCS_FILE, DOCS_SECTION, HAND_WRITTEN_MARKER);
  if (kept) lines.push('', kept);
  return lines.join('\n');
}

function tableRows(result) {
  return [
    ...result.measures.map((x) => ({ measure: x.label, value: `${fmt(x.value, 0)} ${x.unit}`, baseline: `${fmt(x.baseline.value, 0)} ${x.baseline.unit} (${x.baseline.label})`, ratio: ratioText(x) })),
    { measure: 'Relay latency per hop p50 / p99', value: `${fmt(result.latency.p50, 1)} / ${fmt(result.latency.p99, 1)} ms`, baseline: 'target p99 < 25 ms', ratio: '' },
  ];
}

module.exports = { name: NAME, title: 'Messaging: consumer wrapper and outbox relay beside raw kafkajs', docsSection: DOCS_SECTION, run, markdown, tableRows };
