import { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { TopicDefinition } from '@draaiboek/contracts';
import { ServiceMetrics } from '@draaiboek/platform';
import { EventConsumer } from '../consumer/event-consumer';
import { KafkaSettings, physicalTopic } from '../kafka/kafka-factory';

export interface MessagingMetricsSources {
  metrics: ServiceMetrics;
  dataSource: DataSource;
  kafka: Kafka;
  settings: KafkaSettings;
  /** The service's consumer and the topics it subscribes to, when it handles events. */
  consumer?: { consumer: EventConsumer; topics: readonly TopicDefinition[] };
}

export interface MessagingMetrics {
  close(): Promise<void>;
}

/**
 * Outbox backlog (read from the outbox table), consumer lag (the group's committed offsets
 * against the partitions' end offsets, read from the broker) and consumed events by outcome,
 * dead letters among them. Read when Prometheus scrapes, so a stuck consumer still shows its
 * lag growing.
 */
export function registerMessagingMetrics(sources: MessagingMetricsSources): MessagingMetrics {
  const { metrics, dataSource } = sources;
  metrics.gauge('draaiboek_outbox_backlog_events', 'Events in the outbox not yet published to Kafka.', [], async (gauge) => {
    const [row] = await dataSource.query('SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL');
    gauge.set(row.count);
  });
  metrics.gauge(
    'draaiboek_outbox_oldest_unpublished_age_seconds',
    'Age of the oldest event waiting in the outbox (0 when none waits).',
    [],
    async (gauge) => {
      const [row] = await dataSource.query(
        'SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age FROM outbox WHERE published_at IS NULL',
      );
      gauge.set(row.age);
    },
  );

  let admin: Admin | undefined;
  const subscribed = sources.consumer;
  if (subscribed) {
    const consumed = metrics.counter('draaiboek_events_consumed_total', 'Events handled by the consumer, by outcome: applied, duplicate, skipped, dead-lettered.', ['outcome']);
    const deadLetters = metrics.counter('draaiboek_dead_letters_total', 'Records this service sent to a dead-letter topic.');
    subscribed.consumer.onOutcome((outcome) => {
      consumed.inc({ outcome });
      if (outcome === 'dead-lettered') deadLetters.inc();
    });
    const groupId = subscribed.consumer.groupId;
    metrics.gauge('draaiboek_consumer_lag_messages', 'Records on a partition after the consumer group\'s committed offset.', ['topic', 'partition'], async (gauge) => {
      admin ??= sources.kafka.admin();
      await admin.connect();
      gauge.reset();
      const topics = subscribed.topics.map((t) => physicalTopic(sources.settings, t));
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const offsets = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const end of ends) {
          const at = Number(offsets.find((p) => p.partition === end.partition)?.offset ?? -1);
          // Nothing committed yet: the group will read from the start of what the broker keeps.
          const from = at >= 0 ? at : Number(end.low);
          gauge.set({ topic: topic.slice(sources.settings.topicPrefix.length), partition: String(end.partition) }, Math.max(0, Number(end.high) - from));
        }
      }
    });
  }
  return {
    async close() {
      await admin?.disconnect();
      admin = undefined;
    },
  };
}
