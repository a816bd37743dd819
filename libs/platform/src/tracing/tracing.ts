import { Attributes, context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { NextFunction, Request, Response } from 'express';

export interface TracingOptions {
  service: string;
  /** OTLP/HTTP collector, e.g. `http://otel-collector:4318`; without it spans are made and propagated but not exported. */
  otlpEndpoint?: string;
  /** Instead of the OTLP exporter (tests use an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

let provider: NodeTracerProvider | undefined;

/**
 * Registers the process's tracer provider: W3C trace context, context kept in AsyncLocalStorage.
 * Once per process; a later call (another service in the same process, as in the tests)
 * keeps the first.
 */
export function initTracing(options: TracingOptions): void {
  if (provider) return;
  const processors =
    options.spanProcessors ??
    (options.otlpEndpoint ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }))] : []);
  provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': options.service }), spanProcessors: processors });
  provider.register();
}

export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/** The active trace context as W3C headers (`traceparent`, `tracestate`), or undefined outside a trace. */
export function currentTraceHeaders(): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** Ids of the active span, for log lines. */
export function currentTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const spanContext = span.spanContext();
  return trace.isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : undefined;
}

export interface SpanOptions {
  kind: SpanKind;
  attributes?: Attributes;
  /** Continue the trace carried in these W3C headers instead of the active one. */
  parentHeaders?: Record<string, string>;
}

/** Runs `work` in a new active span of the service's tracer; the span records a thrown error. */
export function inSpan<T>(service: string, name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parentHeaders ? propagation.extract(ROOT_CONTEXT, options.parentHeaders) : context.active();
  return trace.getTracer(service).startActiveSpan(name, { kind: options.kind, attributes: options.attributes }, parent, recorded(work));
}

/** `work` as a span's body: the span records a thrown error, and ends either way. */
function recorded<T>(work: (span: Span) => Promise<T>): (span: Span) => Promise<T> {
  return async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  };
}

/** A server span per HTTP request, continuing the caller's `traceparent` when it sends one. */
export function httpTracingMiddleware(service: string): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = trace.getTracer(service).startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
      parent,
    );
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : undefined;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

export { SpanKind };

/** One of the messages a batch span processes: its producer's trace headers, and attributes for its link. */
export interface BatchSpanMessage {
  headers?: Record<string, string>;
  attributes?: Attributes;
}

/**
 * Runs `work` in one active span for a batch of messages processed together (OpenTelemetry's
 * messaging conventions for batches): a batch of one continues its message's trace as its child;
 * a larger batch starts its own trace and links to each message's producer span.
 */
export function inBatchSpan<T>(
  service: string,
  name: string,
  options: Omit<SpanOptions, 'parentHeaders'> & { messages: readonly BatchSpanMessage[] },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const [first] = options.messages;
  if (options.messages.length === 1) {
    return inSpan(service, name, { kind: options.kind, attributes: { ...options.attributes, ...first.attributes }, parentHeaders: first.headers }, work);
  }
  const links = [];
  for (const message of options.messages) {
    const spanContext = message.headers ? trace.getSpanContext(propagation.extract(ROOT_CONTEXT, message.headers)) : undefined;
    if (spanContext && trace.isSpanContextValid(spanContext)) links.push({ context: spanContext, attributes: message.attributes });
  }
  return trace.getTracer(service).startActiveSpan(name, { kind: options.kind, attributes: options.attributes, links, root: true }, recorded(work));
}
