import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Public } from '../auth/auth.guard';

/**
 * The one metrics module: a Prometheus registry per service, labelled with the service name.
 * Components register what they know (HTTP here; Kafka and the outbox in messaging; mail in
 * platform/mail); `GET /metrics` serves it in the text exposition format.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly collectErrors: Counter<'metric'>;
  private readonly collectors: Array<() => Promise<void>> = [];

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status, with their duration.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.collectErrors = this.counter('draaiboek_metric_collect_errors_total', 'Scrapes in which a metric could not be read (its source did not answer); the metric is left out of that scrape.', ['metric']);
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /**
   * A gauge whose value is read when Prometheus scrapes (a count in a table, a lag on the broker).
   * When its source does not answer, that scrape has no value for it (NaN, or no labelled
   * series) and the failure is counted, so that one unreachable source never costs the whole scrape.
   */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (gauge: Gauge<L>) => Promise<void>): Gauge<L> {
    const gauge = new Gauge({ name, help, labelNames, registers: [this.registry] });
    this.collectors.push(async () => {
      try {
        await collect(gauge);
      } catch {
        // Not a stale or made-up value: labelled series disappear, a single value becomes NaN.
        gauge.reset();
        if (labelNames.length === 0) gauge.set(NaN);
        this.collectErrors.inc({ metric: name });
      }
    });
    return gauge;
  }

  /**
   * Express middleware timing every request. The route label is the matched route template
   * (`/v1/groups/:id`), never the raw path, so ids do not multiply the series.
   */
  httpMiddleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.on('finish', () => {
        const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }

  /** Reads every scrape-time gauge, then renders the registry (so a failure is counted in the same scrape). */
  async text(): Promise<string> {
    await Promise.all(this.collectors.map((collect) => collect()));
    return this.registry.metrics();
  }
}

/**
 * Public on purpose: Prometheus scrapes the pod directly on the pod network, and the
 * figures are counts without personal data. The ingress routes only `/v1` (see
 * docs/decisions/0021-metrics-and-traces.md).
 */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(ServiceMetrics) private readonly metrics: ServiceMetrics) {}

  @Public()
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.text();
  }
}
