import express from 'express';
import request from 'supertest';
import { ServiceMetrics } from './metrics';

/** The value of one series in the text format, whatever the order of its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([^{\s]+)\{(.*)\}\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('ServiceMetrics (the one Prometheus registry of a service)', () => {
  it('times HTTP requests by method, route template and status, never by the raw path', async () => {
    const metrics = new ServiceMetrics('intake');
    const app = express();
    app.use(metrics.httpMiddleware());
    app.get('/v1/groups/:groupId', (_req, res) => res.status(200).json({}));
    await request(app).get('/v1/groups/0d6f2f0e-1b8e-4a53-9b59-1f5a8c8f6a01').expect(200);
    await request(app).get('/v1/groups/9a1c2b3d-0000-4000-8000-000000000000').expect(200);
    await request(app).get('/nowhere').expect(404);
    const text = await metrics.text();
    expect(sample(text, 'http_request_duration_seconds_count', { service: 'intake', method: 'GET', route: '/v1/groups/:groupId', status: '200' })).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_count', { service: 'intake', method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toContain('0d6f2f0e');
  });

  it('reads a gauge when scraped; a source that fails leaves that gauge without a value and is counted, the scrape still answers', async () => {
    const metrics = new ServiceMetrics('intake');
    let backlog: number | Error = 3;
    metrics.gauge('draaiboek_outbox_backlog_events', 'backlog', [], async (gauge) => {
      if (backlog instanceof Error) throw backlog;
      gauge.set(backlog);
    });
    expect(sample(await metrics.text(), 'draaiboek_outbox_backlog_events', { service: 'intake' })).toBe(3);
    backlog = new Error('database down');
    const text = await metrics.text();
    expect(sample(text, 'draaiboek_outbox_backlog_events', { service: 'intake' })).toBeNaN();
    expect(sample(text, 'draaiboek_metric_collect_errors_total', { service: 'intake', metric: 'draaiboek_outbox_backlog_events' })).toBe(1);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
