import { DataSource } from 'typeorm';
import { ServiceMetrics } from '../metrics/metrics';

const STATUSES = ['pending', 'sent', 'failed'] as const;

/**
 * E-mails by state, read from the mail outbox when Prometheus scrapes: the table is the truth
 * across restarts and replicas (every replica reports the same figure; query it with max()).
 */
export function registerMailMetrics(metrics: ServiceMetrics, dataSource: DataSource): void {
  metrics.gauge('draaiboek_mails', 'E-mails in the mail outbox by status: pending, sent, failed (given up after the last attempt).', ['status'], async (gauge) => {
    const rows: Array<{ status: string; count: number }> = await dataSource.query(
      'SELECT status, count(*)::int AS count FROM mail_outbox GROUP BY status',
    );
    for (const status of STATUSES) gauge.set({ status }, rows.find((r) => r.status === status)?.count ?? 0);
  });
}
