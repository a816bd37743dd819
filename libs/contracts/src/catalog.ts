import { EventEnvelope, eventType } from './envelope';
import { RefugeeGroupArrivedV1 } from './events/refugee-group-arrived/refugee-group-arrived.v1';
import { SessionScheduledV1 } from './events/session-scheduled/session-scheduled.v1';
import { TopicDefinition, Topics } from './topics';
import { ClassOf } from './validation';

export interface EventContract<T extends object = object> {
  /** Wire identity: never derived from a class name. */
  readonly type: string;
  readonly name: string;
  readonly major: number;
  readonly topic: TopicDefinition;
  readonly dataClass: ClassOf<T>;
  /** What the event's subject (and Kafka key) identifies. */
  readonly subjectOf: (data: T) => string;
}

function contract<T extends object>(c: EventContract<T>): EventContract<T> {
  return c;
}

export const RefugeeGroupArrived = {
  v1: contract<RefugeeGroupArrivedV1>({
    type: eventType('intake', 'RefugeeGroupArrived', 1),
    name: 'RefugeeGroupArrived',
    major: 1,
    topic: Topics.refugeeGroups,
    dataClass: RefugeeGroupArrivedV1,
    subjectOf: (d) => d.groupId,
  }),
};

export const SessionScheduled = {
  v1: contract<SessionScheduledV1>({
    type: eventType('clinic-scheduling', 'SessionScheduled', 1),
    name: 'SessionScheduled',
    major: 1,
    topic: Topics.clinicSessions,
    dataClass: SessionScheduledV1,
    subjectOf: (d) => d.sessionId,
  }),
};

/** Every event version Draaiboek knows. A consumer validates each message against this. */
export const EVENT_CATALOG: readonly EventContract[] = [
  RefugeeGroupArrived.v1,
  SessionScheduled.v1,
] as EventContract[];

const byType = new Map(EVENT_CATALOG.map((c) => [c.type, c]));

export function contractForType(type: string): EventContract | undefined {
  return byType.get(type);
}

export type EnvelopeOf<C> = C extends EventContract<infer T> ? EventEnvelope<T> : never;
