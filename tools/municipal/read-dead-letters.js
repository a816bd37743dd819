#!/usr/bin/env node
'use strict';
// Lists what was refused on a topic's dead-letter twin, with the reason (for the coordination).
//   node tools/municipal/read-dead-letters.js --brokers 127.0.0.1:9092 [--topic municipal.arrivals.v1]
const { parseArgs } = require('node:util');
const { randomBytes } = require('node:crypto');
const { Kafka, logLevel } = require('kafkajs');

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    topic: { type: 'string', default: 'municipal.arrivals.v1' },
    'topic-prefix': { type: 'string', default: '' },
    'wait-ms': { type: 'string', default: '3000' },
  },
});

async function main() {
  const kafka = new Kafka({ clientId: 'dead-letter-reader', brokers: values.brokers.split(','), logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `dead-letter-reader-${randomBytes(4).toString('hex')}` });
  const topic = `${values['topic-prefix']}${values.topic}.dlq`;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen++;
      const h = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      process.stdout.write(
        `${h['dlq-failed-at']}  ${message.key ?? '(no key)'}  reason=${h['dlq-reason']}  attempts=${h['dlq-attempts']}\n    ${h['dlq-error']}\n`,
      );
    },
  });
  // A bounded read: stop once nothing new came in for wait-ms.
  await new Promise((resolve) => setTimeout(resolve, Number(values['wait-ms'])));
  await consumer.disconnect();
  process.stdout.write(`${seen} dead letter(s) on ${topic}\n`);
}

main().catch((error) => {
  process.stderr.write(`read-dead-letters failed: ${error.message}\n`);
  process.exit(1);
});
