#!/usr/bin/env node
'use strict';
// Publishes a signed arrival announcement on municipal.arrivals.v1, the way a municipal system
// does: a CloudEvents envelope, key <municipalityCode>/<reference>, signed with Ed25519.
//   node tools/municipal/send-arrival.js --brokers 127.0.0.1:9092 --key-id gm0114-demo \
//     --private-key .local/signing/gm0114-demo.private.pem --file arrival.json
const { createPrivateKey, randomUUID, sign } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { parseArgs } = require('node:util');
const { Kafka, logLevel } = require('kafkajs');

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    'key-id': { type: 'string' },
    'private-key': { type: 'string' },
    file: { type: 'string' },
    'topic-prefix': { type: 'string', default: '' },
  },
});
if (!values['key-id'] || !values['private-key'] || !values.file) {
  process.stderr.write('usage: send-arrival.js --key-id <id> --private-key <pem file> --file <arrival.json> [--brokers host:port] [--topic-prefix p.]\n');
  process.exit(2);
}

async function main() {
  const data = JSON.parse(readFileSync(values.file, 'utf8'));
  const id = randomUUID();
  const envelope = {
    specversion: '1.0',
    id,
    source: `/gemeente/${data.municipalityCode}`,
    type: 'nl.draaiboek.municipal.ArrivalAnnounced.v1',
    time: new Date().toISOString(),
    subject: `${data.municipalityCode}/${data.reference}`,
    datacontenttype: 'application/json',
    correlationid: id,
    data,
  };
  const value = Buffer.from(JSON.stringify(envelope), 'utf8');
  const signature = sign(null, value, createPrivateKey(readFileSync(values['private-key']))).toString('base64');
  const kafka = new Kafka({ clientId: 'municipal-system', brokers: values.brokers.split(','), logLevel: logLevel.ERROR });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const [meta] = await producer.send({
      topic: `${values['topic-prefix']}municipal.arrivals.v1`,
      acks: -1,
      messages: [
        {
          key: envelope.subject,
          value,
          headers: {
            'content-type': 'application/cloudevents+json; charset=UTF-8',
            'draaiboek-key-id': values['key-id'],
            'draaiboek-signature': signature,
          },
        },
      ],
    });
    process.stdout.write(`sent ${envelope.subject} (event id ${id}) to partition ${meta.partition}, offset ${meta.baseOffset}\n`);
  } finally {
    await producer.disconnect();
  }
}

main().catch((error) => {
  process.stderr.write(`send-arrival failed: ${error.message}\n`);
  process.exit(1);
});
