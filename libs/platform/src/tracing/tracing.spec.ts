import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { runWithCorrelation } from '../logging/correlation';
import { JsonLogger } from '../logging/json-logger';
import { currentTraceHeaders, inBatchSpan, initTracing, inSpan } from './tracing';

const exporter = new InMemorySpanExporter();
initTracing({ service: 'platform-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });

describe('traces (W3C trace context) and the log lines inside them', () => {
  it('continues the trace of incoming headers and hands its own context on as headers', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const headers = await inSpan('intake', 'process topic', { kind: SpanKind.CONSUMER, parentHeaders: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } }, async () =>
      currentTraceHeaders(),
    );
    const [span] = exporter.getFinishedSpans().slice(-1);
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(headers).toEqual({ traceparent: `00-${traceId}-${span.spanContext().spanId}-01` });
  });

  it('has no trace headers outside a trace, and records a thrown error on the span', async () => {
    expect(currentTraceHeaders()).toBeUndefined();
    await expect(inSpan('intake', 'failing', { kind: SpanKind.INTERNAL }, async () => Promise.reject(new Error('broker down')))).rejects.toThrow('broker down');
    const [span] = exporter.getFinishedSpans().slice(-1);
    expect(span.status).toMatchObject({ code: 2, message: 'broker down' });
    expect(span.events.map((e) => e.name)).toContain('exception');
  });

  it('writes the trace and span id beside the correlation id in every log line of the work', async () => {
    const lines: string[] = [];
    const logger = new JsonLogger('intake', 'info', (line) => lines.push(line));
    await runWithCorrelation({ correlationId: 'corr-7' }, () =>
      inSpan('intake', 'work', { kind: SpanKind.INTERNAL }, async () => logger.log({ msg: 'inside' })),
    );
    logger.log({ msg: 'outside' });
    const [span] = exporter.getFinishedSpans().slice(-1);
    expect(JSON.parse(lines[0])).toMatchObject({ msg: 'inside', correlationId: 'corr-7', traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
    expect(JSON.parse(lines[1])).not.toHaveProperty('traceId');
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('processes a batch of one as the child of its message, and a larger batch in its own trace linked to each message', async () => {
    const producer = (n: number) => ({ traceId: `4bf92f3577b34da6a3ce929d0e0e47${String(n).padStart(2, '0')}`, spanId: `00f067aa0ba902${String(n).padStart(2, '0')}` });
    const message = (n: number) => ({ headers: { traceparent: `00-${producer(n).traceId}-${producer(n).spanId}-01` }, attributes: { 'messaging.message.id': `event-${n}` } });

    await inBatchSpan('declarations', 'process topic', { kind: SpanKind.CONSUMER, messages: [message(1)] }, async () => undefined);
    const [single] = exporter.getFinishedSpans().slice(-1);
    expect(single.spanContext().traceId).toBe(producer(1).traceId);
    expect(single.parentSpanContext?.spanId).toBe(producer(1).spanId);
    expect(single.attributes['messaging.message.id']).toBe('event-1');

    // A message without trace headers (a municipal system that sends none) gets no link.
    await expect(
      inBatchSpan('declarations', 'process topic', { kind: SpanKind.CONSUMER, attributes: { 'messaging.batch.message_count': 3 }, messages: [message(2), message(3), {}] }, async () =>
        Promise.reject(new Error('chunk failed')),
      ),
    ).rejects.toThrow('chunk failed');
    const [batch] = exporter.getFinishedSpans().slice(-1);
    expect(batch.parentSpanContext).toBeUndefined();
    expect([producer(2).traceId, producer(3).traceId]).not.toContain(batch.spanContext().traceId);
    expect(batch.links.map((l) => [l.context.traceId, l.context.spanId, l.attributes?.['messaging.message.id']])).toEqual([
      [producer(2).traceId, producer(2).spanId, 'event-2'],
      [producer(3).traceId, producer(3).spanId, 'event-3'],
    ]);
    expect(batch.status).toMatchObject({ code: 2, message: 'chunk failed' });
  });
});
