import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import type { LoggerService } from '@nestjs/common';
import { deadLetterTopicOf, TopicDefinition } from '@draaiboek/contracts';

export interface KafkaSettings {
  /** Service name: the Kafka client id and the consumer group id. */
  clientId: string;
  brokers: string[];
  /** Prepended to every registry topic name (e.g. `drenthe.`); empty in most deployments. */
  topicPrefix: string;
  /** TLS to the brokers: true for the system's CAs, or options with a CA and client certificate. */
  ssl?: boolean | ConnectionOptions;
  sasl?: { mechanism: 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/** What `KAFKA_TLS*` and `KAFKA_SASL_*` (validated by the service config) ask for. */
export interface KafkaSecurityConfig {
  KAFKA_TLS?: 'true' | 'false';
  KAFKA_TLS_CA_FILE?: string;
  KAFKA_TLS_CERT_FILE?: string;
  KAFKA_TLS_KEY_FILE?: string;
  KAFKA_SASL_MECHANISM?: 'scram-sha-256' | 'scram-sha-512';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  KAFKA_SASL_PASSWORD_FILE?: string;
}

/**
 * TLS and SASL/SCRAM for production brokers. SASL implies TLS unless KAFKA_TLS=false says
 * otherwise on purpose (a broker on a private network with SCRAM only). Files are read here,
 * once, so a missing secret stops the service at start-up.
 */
export function kafkaSecurityFrom(config: KafkaSecurityConfig): Pick<KafkaSettings, 'ssl' | 'sasl'> {
  const read = (file: string) => readFileSync(file, 'utf8');
  const sasl = config.KAFKA_SASL_MECHANISM
    ? {
        mechanism: config.KAFKA_SASL_MECHANISM,
        username: config.KAFKA_SASL_USERNAME as string,
        password: config.KAFKA_SASL_PASSWORD ?? read(config.KAFKA_SASL_PASSWORD_FILE as string).trim(),
      }
    : undefined;
  const tlsFiles = config.KAFKA_TLS_CA_FILE || config.KAFKA_TLS_CERT_FILE;
  const tlsWanted = config.KAFKA_TLS === 'true' || (config.KAFKA_TLS !== 'false' && (Boolean(tlsFiles) || Boolean(sasl)));
  if (!tlsWanted) return sasl ? { sasl } : {};
  const ssl: ConnectionOptions | true = tlsFiles
    ? {
        rejectUnauthorized: true,
        ...(config.KAFKA_TLS_CA_FILE ? { ca: [read(config.KAFKA_TLS_CA_FILE)] } : {}),
        ...(config.KAFKA_TLS_CERT_FILE ? { cert: read(config.KAFKA_TLS_CERT_FILE), key: read(config.KAFKA_TLS_KEY_FILE as string) } : {}),
      }
    : true;
  return { ssl, ...(sasl ? { sasl } : {}) };
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
    ...(settings.ssl ? { ssl: settings.ssl } : {}),
    ...(settings.sasl ? { sasl: settings.sasl as SASLOptions } : {}),
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
