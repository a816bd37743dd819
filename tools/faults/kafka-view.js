'use strict';
// What the fault suite reads from Kafka itself: consumer lag per group, whole topics, offset resets.

const { Kafka, logLevel } = require('kafkajs');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function kafkaClient(brokers) {
  return new Kafka({
    clientId: 'draaiboek-faults',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 2, initialRetryTime: 200 },
  });
}

/** Admin calls that survive the broker going away (a fresh admin client each time). */
async function withAdmin(brokers, fn) {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Lag of each consumer group on each topic it has committed offsets for, against `ends`
 * (topic -> partition -> offset; default: the high watermarks now). Returns
 * { total, byGroup: { group: lag } }.
 */
async function lagOf(brokers, groups, topics, ends) {
  return withAdmin(brokers, async (admin) => {
    const highs = ends ?? (await endOffsets(admin, topics));
    const byGroup = {};
    let total = 0;
    for (const { groupId, topics: consumed } of groups) {
      const committed = await admin.fetchOffsets({ groupId, topics: consumed });
      let lag = 0;
      for (const { topic, partitions } of committed) {
        for (const { partition, offset } of partitions) {
          const high = highs[topic]?.[partition] ?? 0;
          const at = Number(offset) < 0 ? 0 : Number(offset);
          lag += Math.max(0, high - at);
        }
      }
      byGroup[groupId] = lag;
      total += lag;
    }
    return { total, byGroup };
  });
}

async function endOffsets(admin, topics) {
  const out = {};
  for (const topic of topics) {
    out[topic] = {};
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) out[topic][partition] = Number(high);
  }
  return out;
}

/** The high watermarks now (topic -> partition -> offset). */
async function highWatermarks(brokers, topics) {
  return withAdmin(brokers, (admin) => endOffsets(admin, topics));
}

/**
 * Waits until every group has consumed up to the high watermarks taken now (the backlog at the
 * end of a fault); resolves with the time that took in ms. Errors while the cluster settles are
 * retried until `timeoutMs`.
 */
async function waitLagZero(brokers, groups, topics, { timeoutMs = 120_000, since = Date.now(), log } = {}) {
  const deadline = since + timeoutMs;
  let lastLog = Date.now();
  let ends = null;
  let last = null;
  while (Date.now() < deadline) {
    try {
      if (!ends) ends = await highWatermarks(brokers, topics);
      last = await lagOf(brokers, groups, topics, ends);
      if (last.total === 0) return { ms: Date.now() - since, lagAtEnd: 0 };
      if (log && Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`lag: ${JSON.stringify(last.byGroup)} after ${Math.round((Date.now() - since) / 1000)} s`);
      }
    } catch (error) {
      last = { error: error.message };
    }
    await sleep(250);
  }
  return { ms: null, lagAtEnd: last };
}

/** Every record of `topics`, read from offset 0 up to the high watermarks of now. */
async function readTopics(brokers, topics) {
  const kafka = kafkaClient(brokers);
  const ends = await highWatermarks(brokers, topics);
  const wanted = Object.values(ends).reduce((n, parts) => n + Object.values(parts).reduce((a, b) => a + b, 0), 0);
  const records = Object.fromEntries(topics.map((t) => [t, []]));
  if (wanted === 0) return records;
  const consumer = kafka.consumer({ groupId: `draaiboek-faults-checker-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, allowAutoTopicCreation: false });
  await consumer.connect();
  let seen = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (Number(message.offset) >= (ends[topic]?.[partition] ?? 0)) return;
        const headers = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = v === undefined ? undefined : String(v);
        records[topic].push({ partition, offset: Number(message.offset), key: message.key?.toString('utf8') ?? null, value: message.value?.toString('utf8') ?? null, headers });
        if (++seen >= wanted) resolveDone();
      },
    });
    const timeout = sleep(120_000).then(() => {
      throw new Error(`reading ${topics.join(', ')}: ${seen} of ${wanted} records within 120 s`);
    });
    await Promise.race([done, timeout]);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  for (const list of Object.values(records)) list.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return records;
}

/** Moves a (stopped) consumer group back to offset 0 of `topic`. */
async function resetToEarliest(brokers, groupId, topic) {
  await withAdmin(brokers, (admin) => admin.resetOffsets({ groupId, topic, earliest: true }));
}

/** Produces raw records (the poison messages). */
async function produce(brokers, topic, messages) {
  const producer = kafkaClient(brokers).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    return await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

module.exports = { lagOf, waitLagZero, highWatermarks, readTopics, resetToEarliest, produce, withAdmin };
