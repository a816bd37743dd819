import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ArrivalAnnounced, Topics } from '@draaiboek/contracts';
import { Client } from 'pg';
import { RunningService } from '@draaiboek/messaging';
import { createTestSystem, eventually, KafkaProbe, loadContractFixture, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { initTracing, ServiceConfig } from '@draaiboek/platform';
import { clinicSchedulingService, declarationsService, intakeService, practiceNotificationService } from './all-services';

jest.setTimeout(120_000);

// Registered before any service starts: the services' own initTracing then keeps this provider.
const spans = new InMemorySpanExporter();
initTracing({ service: 'system-e2e', spanProcessors: [new SimpleSpanProcessor(spans)] });

const PRACTICES_CSV = [
  'agb,name,street,postcode,city,latitude,longitude,hagro,wagro,catchment,contact_name,contact_email',
  '99000101,Praktijk Noord (test),Hoofdstraat 1,7811 AB,Emmen,52.78,6.89,EMMEN-ZUID,WAGRO-EMMEN,7811,Contact N,noord@example.org',
  '99000102,Praktijk Zuid (test),Brink 2,7811 CD,Emmen,52.79,6.90,EMMEN-ZUID,WAGRO-EMMEN,7811,Contact Z,zuid@example.org',
].join('\n');

/** The committed ArrivalAnnounced fixture (140 people at AZC Emmen, 7811), under its own reference. */
function arrival(reference: string) {
  return { ...loadContractFixture(ArrivalAnnounced.v1).data, reference };
}

/** A W3C `traceparent` as a caller continuing its own trace sends it. */
function traceparent(): { header: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

/** Prometheus text format -> samples of one metric, with their labels. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const match = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)$/.exec(line)!;
      const labels = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      return { labels, value: Number(match[2]) };
    });
}

function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text, name)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

describe('observability: metrics and one trace across the four services, on real Kafka and Postgres', () => {
  let system: TestSystem;
  let intake: RunningService<ServiceConfig>;
  let practices: RunningService<ServiceConfig>;
  let clinic: RunningService<ServiceConfig>;
  let probe: KafkaProbe;
  // Seams that hold intake's relay (after Kafka acknowledged, before rows are marked) and
  // practice-notification's consumer (after its commit, before the offset is committed).
  let relayGate: Promise<void> | undefined;
  let consumerGate: Promise<void> | undefined;

  beforeAll(async () => {
    system = await createTestSystem();
    intake = await system.start(intakeService, { relay: { afterPublish: async () => relayGate } });
    practices = await system.start(practiceNotificationService, { consumer: { afterCommit: async () => consumerGate } });
    clinic = await system.start(clinicSchedulingService);
    await system.start(declarationsService);
    await request(practices.url)
      .post('/v1/directory/practices')
      .set('Authorization', `Bearer ${TEST_KEYS.coordination}`)
      .set('content-type', 'text/csv')
      .send(PRACTICES_CSV)
      .expect(200);
    probe = new KafkaProbe();
    await probe.watch([system.topic(Topics.refugeeGroups.name), system.topic(Topics.practiceNotifications.name)]);
  });

  afterAll(async () => {
    await probe?.close();
    await system?.stop();
  });

  const metricsOf = async (service: RunningService<ServiceConfig>) => (await request(service.url).get('/metrics').expect(200)).text;
  const finished = () => spans.getFinishedSpans();
  const serviceOf = (span: ReadableSpan) => span.instrumentationScope.name;
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it("follows one arrival's trace from the caller through intake, practice-notification, clinic-scheduling and declarations", async () => {
    const caller = traceparent();
    const announced = await request(intake.url)
      .post('/v1/arrivals')
      .set('Authorization', `Bearer ${TEST_KEYS.emmen}`)
      .set('traceparent', caller.header)
      .send(arrival('EMM-TRACE-1'))
      .expect(202);
    const groupId: string = announced.body.groupId;

    // intake continues the caller's trace in its server span ...
    const inTrace = () => finished().filter((s) => s.spanContext().traceId === caller.traceId);
    const intakeSpan = await eventually(async () => inTrace().find((s) => serviceOf(s) === 'intake' && s.kind === SpanKind.SERVER), {
      what: "intake's server span",
    });
    expect(intakeSpan.name).toBe('POST /v1/arrivals');
    expect(parentOf(intakeSpan)).toBe(caller.spanId);
    expect(intakeSpan.attributes['http.response.status_code']).toBe(202);

    // ... the outbox row kept that context, the relay put it in the record's headers ...
    const record = await eventually(async () => probe.on(system.topic(Topics.refugeeGroups.name)).find((r) => r.key === groupId), {
      what: 'RefugeeGroupArrived on Kafka',
    });
    expect(record.headers.traceparent).toBe(`00-${caller.traceId}-${intakeSpan.spanContext().spanId}-01`);

    // ... and both consumers continue it, as children of intake's span.
    const consumerSpans = await eventually(
      async () => {
        const found = inTrace().filter((s) => s.kind === SpanKind.CONSUMER && s.name === `process ${Topics.refugeeGroups.name}`);
        return found.length >= 2 ? found : undefined;
      },
      { what: 'the consumers of RefugeeGroupArrived to continue the trace' },
    );
    expect(consumerSpans.map(serviceOf).sort()).toEqual(['clinic-scheduling', 'practice-notification']);
    for (const span of consumerSpans) {
      expect(parentOf(span)).toBe(intakeSpan.spanContext().spanId);
      expect(span.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': system.topic(Topics.refugeeGroups.name) });
    }
    // What practice-notification published while handling it (PracticeNotified) carries the trace on.
    const notified = await eventually(async () => probe.on(system.topic(Topics.practiceNotifications.name)).find((r) => r.headers.traceparent?.includes(caller.traceId)), {
      what: 'PracticeNotified carrying the trace',
    });
    const practiceSpan = consumerSpans.find((s) => serviceOf(s) === 'practice-notification')!;
    expect(notified.headers.traceparent).toBe(`00-${caller.traceId}-${practiceSpan.spanContext().spanId}-01`);

    // The coordination, continuing the same trace, opens a central location and schedules a session:
    // declarations receives SessionScheduled in the same trace.
    const db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    const { rows: known } = await db.query('SELECT location_id FROM clinic_scheduling.known_groups WHERE group_id = $1', [groupId]).finally(() => db.end());
    const coordination = (req: request.Test) => req.set('Authorization', `Bearer ${TEST_KEYS.coordination}`).set('traceparent', caller.header);
    const location = await coordination(request(clinic.url).post('/v1/central-locations'))
      .send({ name: 'Spreekuur AZC Emmen', postcode: '7811 AA', receptionLocationId: known[0].location_id })
      .expect(201);
    await coordination(request(clinic.url).post(`/v1/central-locations/${location.body.id}/override`)).send({ reason: 'Workplace arranged by phone' }).expect(200);
    const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const session = await coordination(request(clinic.url).post(`/v1/central-locations/${location.body.id}/sessions`))
      .send({ date, startTime: '09:00', endTime: '11:00', capacity: 16 })
      .expect(201);
    const scheduling = await eventually(async () =>
      inTrace().find((s) => serviceOf(s) === 'clinic-scheduling' && s.name === 'POST /v1/central-locations/:locationId/sessions'),
    );
    expect(parentOf(scheduling)).toBe(caller.spanId);
    const declarationsSpan = await eventually(
      async () => inTrace().find((s) => serviceOf(s) === 'declarations' && s.kind === SpanKind.CONSUMER),
      { what: 'declarations to continue the trace' },
    );
    expect(declarationsSpan.name).toBe(`process ${Topics.clinicSessions.name}`);
    expect(parentOf(declarationsSpan)).toBe(scheduling.spanContext().spanId);
    expect(declarationsSpan.attributes['messaging.message.id']).toEqual(expect.any(String));
    expect(session.body.id).toEqual(expect.any(String));

    expect(new Set(inTrace().map(serviceOf))).toEqual(new Set(['intake', 'practice-notification', 'clinic-scheduling', 'declarations']));
  });

  it('serves Prometheus metrics on /metrics without credentials: HTTP requests by route template and status', async () => {
    const text = await metricsOf(intake);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(total(text, 'http_request_duration_seconds_count', { service: 'intake', method: 'POST', route: '/v1/arrivals', status: '202' })).toBe(1);
    // An id in the path never becomes a label value: the route template does.
    await request(clinic.url).get(`/v1/central-locations/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/checklist`).set('Authorization', `Bearer ${TEST_KEYS.coordination}`);
    const clinicText = await metricsOf(clinic);
    const routes = samples(clinicText, 'http_request_duration_seconds_count').map((s) => s.labels.route);
    expect(routes).toEqual(expect.arrayContaining(['/v1/central-locations/:locationId/sessions', '/v1/central-locations/:locationId/checklist']));
    expect(routes.some((r) => /[0-9a-f]{8}-/.test(r))).toBe(false);
  });

  it('reports the outbox backlog while the relay has not marked an event, and zero once it has', async () => {
    let release!: () => void;
    relayGate = new Promise((resolve) => (release = resolve));
    await request(intake.url).post('/v1/arrivals').set('Authorization', `Bearer ${TEST_KEYS.emmen}`).send(arrival('EMM-BACKLOG-1')).expect(202);
    await eventually(async () => total(await metricsOf(intake), 'draaiboek_outbox_backlog_events') === 1, { what: 'a backlog of 1' });
    expect(total(await metricsOf(intake), 'draaiboek_outbox_oldest_unpublished_age_seconds')).toBeGreaterThan(0);
    relayGate = undefined;
    release();
    await eventually(async () => total(await metricsOf(intake), 'draaiboek_outbox_backlog_events') === 0, { what: 'the backlog to drain' });
    expect(total(await metricsOf(intake), 'draaiboek_outbox_oldest_unpublished_age_seconds')).toBe(0);
  });

  it("reports the consumer group's lag per partition: records handled but not yet committed count, then none", async () => {
    let release!: () => void;
    consumerGate = new Promise((resolve) => (release = resolve));
    await request(intake.url).post('/v1/arrivals').set('Authorization', `Bearer ${TEST_KEYS.emmen}`).send(arrival('EMM-LAG-1')).expect(202);
    const lagging = await eventually(async () => {
      const lag = samples(await metricsOf(practices), 'draaiboek_consumer_lag_messages').filter((s) => s.labels.topic === Topics.refugeeGroups.name);
      return lag.some((s) => s.value >= 1) ? lag : undefined;
    }, { what: 'a lag of at least 1 on intake.refugee-groups.v1' });
    // Every partition of every topic the service consumes is reported.
    expect(lagging).toHaveLength(Topics.refugeeGroups.partitions);
    consumerGate = undefined;
    release();
    await eventually(async () => total(await metricsOf(practices), 'draaiboek_consumer_lag_messages') === 0, { what: 'the lag to reach 0' });
  });

  it('counts dead letters and consumed events by outcome', async () => {
    const before = await metricsOf(practices);
    await probe.produce(system.topic(Topics.refugeeGroups.name), [{ key: 'poison', value: 'this is not JSON' }]);
    await eventually(async () => total(await metricsOf(practices), 'draaiboek_dead_letters_total') === total(before, 'draaiboek_dead_letters_total') + 1, {
      what: 'the dead letter to be counted',
    });
    const after = await metricsOf(practices);
    expect(total(after, 'draaiboek_events_consumed_total', { outcome: 'dead-lettered' })).toBe(total(before, 'draaiboek_events_consumed_total', { outcome: 'dead-lettered' }) + 1);
    expect(total(after, 'draaiboek_events_consumed_total', { outcome: 'applied' })).toBeGreaterThanOrEqual(3);
    expect(total(await metricsOf(clinic), 'draaiboek_dead_letters_total')).toBe(1);
  });

  it('reports e-mails by state from the mail outbox: every signal mail the SMTP server accepted counts as sent', async () => {
    await eventually(async () => system.mail.messages.length >= 2, { what: 'the signal mails' });
    const text = await eventually(async () => {
      const current = await metricsOf(practices);
      return total(current, 'draaiboek_mails', { status: 'pending' }) === 0 ? current : undefined;
    }, { what: 'the mail outbox to be sent' });
    expect(total(text, 'draaiboek_mails', { status: 'sent' })).toBe(system.mail.messages.length);
    expect(total(text, 'draaiboek_mails', { status: 'failed' })).toBe(0);

    // A mail the sender gave up on after its last attempt (set here as MailSender leaves it).
    const db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    await db
      .query(
        `INSERT INTO practice_notification.mail_outbox (id, to_address, subject, text_body, purpose, status, attempts, last_error)
         VALUES (gen_random_uuid(), 'x@example.org', 'Signal', 'Body', 'arrival-signal', 'failed', 8, '550 mailbox unavailable')`,
      )
      .finally(() => db.end());
    expect(total(await metricsOf(practices), 'draaiboek_mails', { status: 'failed' })).toBe(1);
  });
});
