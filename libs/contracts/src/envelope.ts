import { randomUUID } from 'node:crypto';

/**
 * The one envelope every Draaiboek event travels in: CloudEvents 1.0 attributes,
 * carried in structured mode (the whole envelope is the Kafka record value,
 * `content-type: application/cloudevents+json`), with `subject` = aggregate id = Kafka key.
 * CloudEvents extension names must be lower-case alphanumerics, hence `correlationid`.
 */
export interface EventEnvelope<TData = unknown> {
  specversion: '1.0';
  id: string;
  /** URI reference of the producing service, e.g. `/draaiboek/intake`. */
  source: string;
  /** `nl.draaiboek.<context>.<EventName>.v<major>` */
  type: string;
  /** ISO-8601 instant in UTC. */
  time: string;
  /** Aggregate id; also the Kafka key, so events of one aggregate stay ordered. */
  subject: string;
  datacontenttype: 'application/json';
  /** Identifies the chain of work that started at an HTTP request or an incoming event. */
  correlationid: string;
  /** The id of the event (or request) that directly caused this one. */
  causationid?: string;
  dataschema?: string;
  data: TData;
}

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

export interface NewEnvelope<TData> {
  type: string;
  source: string;
  subject: string;
  data: TData;
  correlationId?: string;
  causationId?: string;
  id?: string;
  time?: Date;
}

export function createEnvelope<TData>(input: NewEnvelope<TData>): EventEnvelope<TData> {
  const id = input.id ?? randomUUID();
  const envelope: EventEnvelope<TData> = {
    specversion: '1.0',
    id,
    source: input.source,
    type: input.type,
    time: (input.time ?? new Date()).toISOString(),
    subject: input.subject,
    datacontenttype: 'application/json',
    correlationid: input.correlationId ?? id,
    data: input.data,
  };
  if (input.causationId) envelope.causationid = input.causationId;
  return envelope;
}

/** Builds an event type string from its parts; the only place the naming scheme lives. */
export function eventType(context: string, name: string, major: number): string {
  return `nl.draaiboek.${context}.${name}.v${major}`;
}

export function parseEventType(type: string): { context: string; name: string; major: number } | null {
  const match = /^nl\.draaiboek\.([a-z-]+)\.([A-Za-z]+)\.v(\d+)$/.exec(type);
  if (!match) return null;
  return { context: match[1], name: match[2], major: Number(match[3]) };
}
