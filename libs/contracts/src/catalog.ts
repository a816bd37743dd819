import { EventEnvelope, eventType } from './envelope';
import { RefugeeGroupArrivedV1 } from './events/refugee-group-arrived/refugee-group-arrived.v1';
import { SessionScheduledV1 } from './events/session-scheduled/session-scheduled.v1';
import {
  RefugeeGroupCancelledV1,
  RefugeeGroupDepartedV1,
  RefugeeGroupHeadcountChangedV1,
  RefugeeGroupRelocatedV1,
} from './events/group-lifecycle/group-lifecycle.v1';
import { ArrivalAnnouncementV1 } from './ingress/arrival-announcement.v1';
import { PracticeRegisteredV1 } from './events/practice-notification/practice-registered.v1';
import { DeclarationBatchReadyV1 } from './events/declarations/declarations.v1';
import {
  CentralLocationOpenedV1,
  ConsultationRecordedV1,
  SessionCancelledV1,
  SessionChangedV1,
  ShiftAssignedV1,
  ShiftReleasedV1,
} from './events/clinic-scheduling/clinic-scheduling.v1';
import { CareArrangementChosenV1, CaseloadReportedV1, PracticeNotifiedV1 } from './events/practice-notification/practice-notification.v1';
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

/**
 * What a municipal system publishes on `municipal.arrivals.v1`: the same contract as
 * `POST /v1/arrivals`. Subject/key: `<municipalityCode>/<reference>`.
 */
export const ArrivalAnnounced = {
  v1: contract<ArrivalAnnouncementV1>({
    type: eventType('municipal', 'ArrivalAnnounced', 1),
    name: 'ArrivalAnnounced',
    major: 1,
    topic: Topics.municipalArrivals,
    dataClass: ArrivalAnnouncementV1,
    subjectOf: (d) => `${d.municipalityCode}/${d.reference}`,
  }),
};

export const RefugeeGroupHeadcountChanged = {
  v1: contract<RefugeeGroupHeadcountChangedV1>({
    type: eventType('intake', 'RefugeeGroupHeadcountChanged', 1),
    name: 'RefugeeGroupHeadcountChanged',
    major: 1,
    topic: Topics.refugeeGroups,
    dataClass: RefugeeGroupHeadcountChangedV1,
    subjectOf: (d) => d.groupId,
  }),
};

export const RefugeeGroupDeparted = {
  v1: contract<RefugeeGroupDepartedV1>({
    type: eventType('intake', 'RefugeeGroupDeparted', 1),
    name: 'RefugeeGroupDeparted',
    major: 1,
    topic: Topics.refugeeGroups,
    dataClass: RefugeeGroupDepartedV1,
    subjectOf: (d) => d.groupId,
  }),
};

export const RefugeeGroupRelocated = {
  v1: contract<RefugeeGroupRelocatedV1>({
    type: eventType('intake', 'RefugeeGroupRelocated', 1),
    name: 'RefugeeGroupRelocated',
    major: 1,
    topic: Topics.refugeeGroups,
    dataClass: RefugeeGroupRelocatedV1,
    subjectOf: (d) => d.groupId,
  }),
};

export const RefugeeGroupCancelled = {
  v1: contract<RefugeeGroupCancelledV1>({
    type: eventType('intake', 'RefugeeGroupCancelled', 1),
    name: 'RefugeeGroupCancelled',
    major: 1,
    topic: Topics.refugeeGroups,
    dataClass: RefugeeGroupCancelledV1,
    subjectOf: (d) => d.groupId,
  }),
};

export const PracticeNotified = {
  v1: contract<PracticeNotifiedV1>({
    type: eventType('practice-notification', 'PracticeNotified', 1),
    name: 'PracticeNotified',
    major: 1,
    topic: Topics.practiceNotifications,
    dataClass: PracticeNotifiedV1,
    subjectOf: (d) => d.notificationId,
  }),
};

export const CareArrangementChosen = {
  v1: contract<CareArrangementChosenV1>({
    type: eventType('practice-notification', 'CareArrangementChosen', 1),
    name: 'CareArrangementChosen',
    major: 1,
    topic: Topics.practiceNotifications,
    dataClass: CareArrangementChosenV1,
    subjectOf: (d) => d.groupId,
  }),
};

export const CaseloadReported = {
  v1: contract<CaseloadReportedV1>({
    type: eventType('practice-notification', 'CaseloadReported', 1),
    name: 'CaseloadReported',
    major: 1,
    topic: Topics.practiceCaseload,
    dataClass: CaseloadReportedV1,
    subjectOf: (d) => d.practiceAgb,
  }),
};

export const PracticeRegistered = {
  v1: contract<PracticeRegisteredV1>({
    type: eventType('practice-notification', 'PracticeRegistered', 1),
    name: 'PracticeRegistered',
    major: 1,
    topic: Topics.practiceDirectory,
    dataClass: PracticeRegisteredV1,
    subjectOf: (d) => d.practiceAgb,
  }),
};

export const CentralLocationOpened = {
  v1: contract<CentralLocationOpenedV1>({
    type: eventType('clinic-scheduling', 'CentralLocationOpened', 1),
    name: 'CentralLocationOpened',
    major: 1,
    topic: Topics.centralLocations,
    dataClass: CentralLocationOpenedV1,
    subjectOf: (d) => d.centralLocationId,
  }),
};

export const SessionChanged = {
  v1: contract<SessionChangedV1>({
    type: eventType('clinic-scheduling', 'SessionChanged', 1),
    name: 'SessionChanged',
    major: 1,
    topic: Topics.clinicSessions,
    dataClass: SessionChangedV1,
    subjectOf: (d) => d.sessionId,
  }),
};

export const SessionCancelled = {
  v1: contract<SessionCancelledV1>({
    type: eventType('clinic-scheduling', 'SessionCancelled', 1),
    name: 'SessionCancelled',
    major: 1,
    topic: Topics.clinicSessions,
    dataClass: SessionCancelledV1,
    subjectOf: (d) => d.sessionId,
  }),
};

export const ShiftAssigned = {
  v1: contract<ShiftAssignedV1>({
    type: eventType('clinic-scheduling', 'ShiftAssigned', 1),
    name: 'ShiftAssigned',
    major: 1,
    topic: Topics.clinicShifts,
    dataClass: ShiftAssignedV1,
    subjectOf: (d) => d.shiftId,
  }),
};

export const ShiftReleased = {
  v1: contract<ShiftReleasedV1>({
    type: eventType('clinic-scheduling', 'ShiftReleased', 1),
    name: 'ShiftReleased',
    major: 1,
    topic: Topics.clinicShifts,
    dataClass: ShiftReleasedV1,
    subjectOf: (d) => d.shiftId,
  }),
};

export const ConsultationRecorded = {
  v1: contract<ConsultationRecordedV1>({
    type: eventType('clinic-scheduling', 'ConsultationRecorded', 1),
    name: 'ConsultationRecorded',
    major: 1,
    topic: Topics.consultations,
    dataClass: ConsultationRecordedV1,
    subjectOf: (d) => d.consultationId,
  }),
};

export const DeclarationBatchReady = {
  v1: contract<DeclarationBatchReadyV1>({
    type: eventType('declarations', 'DeclarationBatchReady', 1),
    name: 'DeclarationBatchReady',
    major: 1,
    topic: Topics.declarationBatches,
    dataClass: DeclarationBatchReadyV1,
    subjectOf: (d) => d.batchId,
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
  ArrivalAnnounced.v1,
  RefugeeGroupArrived.v1,
  RefugeeGroupHeadcountChanged.v1,
  RefugeeGroupDeparted.v1,
  RefugeeGroupRelocated.v1,
  RefugeeGroupCancelled.v1,
  PracticeNotified.v1,
  CareArrangementChosen.v1,
  CaseloadReported.v1,
  PracticeRegistered.v1,
  CentralLocationOpened.v1,
  SessionScheduled.v1,
  SessionChanged.v1,
  SessionCancelled.v1,
  ShiftAssigned.v1,
  ShiftReleased.v1,
  ConsultationRecorded.v1,
  DeclarationBatchReady.v1,
] as EventContract[];

const byType = new Map(EVENT_CATALOG.map((c) => [c.type, c]));

export function contractForType(type: string): EventContract | undefined {
  return byType.get(type);
}

export type EnvelopeOf<C> = C extends EventContract<infer T> ? EventEnvelope<T> : never;
