import { Admin, Kafka, logLevel } from 'kafkajs';
import type { HealthCheck } from '@draaiboek/platform';
import { KafkaSettings } from './kafka-factory';

/**
 * Readiness of the Kafka cluster: one kept admin connection asked `describeCluster`, with no
 * retries of its own, so a check answers within its time budget and leaves no client retrying
 * behind it (one new admin per check did, and piled up while the broker was away). After a
 * failure the connection is dropped and the next check connects afresh: readiness is true again
 * as soon as the broker answers. Concurrent checks share one round trip.
 */
export class KafkaHealthCheck implements HealthCheck {
  readonly name = 'kafka';
  private readonly kafka: Kafka;
  private admin?: Admin;
  private inFlight?: Promise<void>;

  constructor(settings: Pick<KafkaSettings, 'clientId' | 'brokers'>) {
    this.kafka = new Kafka({
      clientId: `${settings.clientId}-health`,
      brokers: settings.brokers,
      connectionTimeout: 1000,
      requestTimeout: 2000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
  }

  check(): Promise<void> {
    this.inFlight ??= this.probe().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private async probe(): Promise<void> {
    try {
      if (!this.admin) {
        this.admin = this.kafka.admin();
        await this.admin.connect();
      }
      await this.admin.describeCluster();
    } catch (error) {
      await this.close();
      throw error;
    }
  }
}
