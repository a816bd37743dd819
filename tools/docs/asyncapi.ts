import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import {
  ALL_TOPICS,
  CLOUDEVENTS_CONTENT_TYPE,
  deadLetterTopicOf,
  EVENT_CATALOG,
  EventContract,
  IS_CALENDAR_DATE,
  TopicDefinition,
  Topics,
} from '@draaiboek/contracts';

type Schema = Record<string, any>;

/** Which event types each service handles, as its running consumer reports them. */
export type Subscriptions = Record<string, readonly string[]>;

const messageId = (c: EventContract) => `${c.name}.v${c.major}`;
const channelId = (t: TopicDefinition) => (Object.keys(Topics) as Array<keyof typeof Topics>).find((k) => Topics[k].name === t.name)!;

/** JSON schemas of the contracts' class-validator classes, with only the classes events reach. */
function dataSchemas(): Record<string, Schema> {
  const all = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    classTransformerMetadataStorage: defaultMetadataStorage,
    additionalConverters: { [IS_CALENDAR_DATE]: { type: 'string', format: 'date' } },
  }) as Record<string, Schema>;
  const reached: Record<string, Schema> = {};
  const visit = (name: string) => {
    if (reached[name] || !all[name]) return;
    reached[name] = all[name];
    JSON.stringify(all[name]).replace(/#\/components\/schemas\/([A-Za-z0-9_]+)/g, (_m, ref: string) => (visit(ref), ''));
  };
  for (const contract of EVENT_CATALOG) visit(contract.dataClass.name);
  return Object.fromEntries(Object.keys(reached).sort().map((k) => [k, reached[k]]));
}

/** The CloudEvents envelope (docs/decisions/0003-event-envelope.md) around one event's data. */
function envelopeSchema(contract: EventContract): Schema {
  return {
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'correlationid', 'data'],
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string', format: 'uuid', description: 'Unique per event; consumers deduplicate on it.' },
      source: { type: 'string', description: 'The producing service, e.g. /draaiboek/intake.' },
      type: { const: contract.type },
      time: { type: 'string', format: 'date-time', description: 'UTC.' },
      subject: { type: 'string', description: 'The aggregate id; also the Kafka key.' },
      datacontenttype: { const: 'application/json' },
      correlationid: { type: 'string', description: 'The chain of work this event belongs to.' },
      causationid: { type: 'string', description: 'The event or request that directly caused this one.' },
      dataschema: { type: 'string' },
      data: { $ref: `#/components/schemas/${contract.dataClass.name}` },
    },
  };
}

/**
 * The AsyncAPI 3.1 document of every topic and event: generated from the contracts library
 * (topic registry, event catalog, class-validator rules) and the services' subscriptions.
 */
export function asyncApiDocument(subscriptions: Subscriptions): Schema {
  const channels: Schema = {};
  const operations: Schema = {};
  const messages: Schema = {};
  for (const topic of ALL_TOPICS) {
    const id = channelId(topic);
    const contracts = EVENT_CATALOG.filter((c) => c.topic.name === topic.name);
    channels[id] = {
      address: topic.name,
      title: topic.name,
      description: `${topic.description} Records that cannot be processed go to \`${deadLetterTopicOf(topic.name)}\` with the reason in their headers.`,
      messages: Object.fromEntries(contracts.map((c) => [messageId(c), { $ref: `#/components/messages/${messageId(c)}` }])),
      bindings: {
        kafka: {
          topic: topic.name,
          partitions: topic.partitions,
          topicConfiguration: { 'retention.ms': topic.retentionMs },
          bindingVersion: '0.5.0',
        },
      },
    };
    const producer = topic.owner === 'external' ? 'municipal-systems' : topic.owner;
    operations[`${producer}.send.${id}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `${producer === 'municipal-systems' ? 'Municipal systems publish' : `${producer} publishes`} on ${topic.name} (only the owner produces to a topic).`,
      messages: contracts.map((c) => ({ $ref: `#/channels/${id}/messages/${messageId(c)}` })),
    };
    for (const service of Object.keys(subscriptions).sort()) {
      const handled = contracts.filter((c) => subscriptions[service].includes(c.type));
      if (handled.length === 0) continue;
      operations[`${service}.receive.${id}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${id}` },
        summary: `${service} consumes ${topic.name} in its consumer group "${service}"; other event types on the topic are skipped.`,
        messages: handled.map((c) => ({ $ref: `#/channels/${id}/messages/${messageId(c)}` })),
      };
    }
    for (const contract of contracts) {
      messages[messageId(contract)] = {
        name: contract.name,
        title: `${contract.name} v${contract.major}`,
        summary: `CloudEvents type ${contract.type}.`,
        contentType: CLOUDEVENTS_CONTENT_TYPE,
        headers: { $ref: '#/components/schemas/KafkaHeaders' },
        payload: envelopeSchema(contract),
        bindings: { kafka: { key: { type: 'string', description: 'Equal to the envelope subject.' }, bindingVersion: '0.5.0' } },
      };
    }
  }
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Draaiboek events',
      version: '1',
      description:
        'Every Kafka topic and event of Draaiboek. Generated from libs/contracts and the services\' subscriptions by `npm run docs`; a test fails when this file and the code disagree.',
      license: { name: 'EUPL-1.2' },
    },
    defaultContentType: CLOUDEVENTS_CONTENT_TYPE,
    servers: {
      kafka: {
        host: 'kafka:9092',
        protocol: 'kafka',
        description: 'The deployment\'s brokers (KAFKA_BROKERS); topic names get the deployment\'s KAFKA_TOPIC_PREFIX.',
      },
    },
    channels,
    operations,
    components: {
      messages,
      schemas: {
        KafkaHeaders: {
          type: 'object',
          properties: {
            'content-type': { const: CLOUDEVENTS_CONTENT_TYPE },
            traceparent: { type: 'string', description: 'W3C trace context of the work that produced the event.' },
            tracestate: { type: 'string' },
          },
        },
        ...dataSchemas(),
      },
    },
  };
}
