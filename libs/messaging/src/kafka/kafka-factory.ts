import { Kafka, logLevel, LogEntry } from 'kafkajs';
import type { LoggerService } from '@nestjs/common';
import { deadLetterTopicOf, TopicDefinition } from '@draaiboek/contracts';

export interface KafkaSettings {
  /** Service name: the Kafka client id and the consumer group id. */
  clientId: string;
  brokers: string[];
  /** Prepended to every registry topic name (e.g. `drenthe.`); empty in most deployments. */
  topicPrefix: string;
}

export function parseBrokers(list: string): string[] {
  return list.split(',').map((b) => b.trim()).filter(Boolean);
}

/** The physical topic name of a registry topic. The only place a prefix is applied. */
export function physicalTopic(settings: Pick<KafkaSettings, 'topicPrefix'>, topic: TopicDefinition | string): string {
  return settings.topicPrefix + (typeof topic === 'string' ? topic : topic.name);
}

export function physicalDeadLetterTopic(settings: Pick<KafkaSettings, 'topicPrefix'>, topic: TopicDefinition | string): string {
  return deadLetterTopicOf(physicalTopic(settings, topic));
}

export function createKafka(settings: KafkaSettings, logger?: LoggerService): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    // At most 5 s between reconnection attempts: a client resumes within seconds of the broker
    // coming back (kafkajs' default lets the gap grow to 30 s).
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      if (!logger) return;
      const { message, ...extra } = entry.log;
      const line = { msg: `kafkajs: ${message}`, kafka: { namespace: entry.namespace, ...pickSafe(extra) } };
      // kafkajs logs protocol responses it retries itself (rebalancing, coordinator loading) as
      // errors; a failure that matters surfaces as a thrown error in our code instead.
      const retriedResponse = typeof message === 'string' && message.startsWith('Response ');
      if (entry.level <= logLevel.ERROR && !retriedResponse) logger.error(line, 'Kafka');
      else logger.warn(line, 'Kafka');
    },
  });
}

/** kafkajs log extras can include broker metadata; never message payloads. Keep them small. */
function pickSafe(extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['broker', 'clientId', 'groupId', 'topic', 'partition', 'error', 'retryCount', 'retryTime']) {
    if (key in extra) out[key] = extra[key];
  }
  return out;
}
