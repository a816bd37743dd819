import { Admin, Kafka } from 'kafkajs';
import { TopicDefinition } from '@draaiboek/contracts';
import { KafkaSettings, physicalDeadLetterTopic, physicalTopic } from './kafka-factory';

/**
 * Creates every registry topic and its dead-letter twin, if missing, before any consumer
 * starts (Kafka's auto-creation is off: a typo must not create a topic).
 */
export async function provisionTopics(kafka: Kafka, settings: KafkaSettings, topics: readonly TopicDefinition[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = topics.flatMap((t) => [
      { topic: physicalTopic(settings, t), numPartitions: t.partitions, retentionMs: t.retentionMs },
      { topic: physicalDeadLetterTopic(settings, t), numPartitions: 1, retentionMs: -1 },
    ]);
    const missing = wanted.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      // Not kafkajs' waitForLeaders: on a KRaft broker its metadata check can see the new topic
      // as unknown for a moment and throw; waitForMetadata below polls until it is there.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions,
          replicationFactor: -1, // the broker's default.replication.factor
          configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
        })),
      });
    }
    await waitForMetadata(admin, wanted.map((t) => t.topic));
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * A freshly created topic can be unknown to a metadata request for a moment, and a consumer
 * subscribing then fails outright; wait until the broker describes every topic.
 */
async function waitForMetadata(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      if (described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
