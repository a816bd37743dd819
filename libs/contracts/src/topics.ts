/**
 * Every Kafka topic Draaiboek uses. Services never write topic strings themselves:
 * they name a registry entry. The major version is part of the name; a breaking
 * change to a topic's contract means a new topic.
 */
export interface TopicDefinition {
  readonly name: string;
  readonly partitions: number;
  /** Owner service: the only service that produces to the topic. `external` = municipal systems. */
  readonly owner: 'intake' | 'practice-notification' | 'clinic-scheduling' | 'declarations' | 'external';
  readonly description: string;
  /** Retention in ms; -1 keeps events forever (replayable history). */
  readonly retentionMs: number;
}

const FOREVER = -1;

export const Topics = {
  municipalArrivals: {
    name: 'municipal.arrivals.v1',
    partitions: 6,
    owner: 'external',
    description: 'Arrival announcements published by municipal systems (same contract as POST /v1/arrivals).',
    retentionMs: 30 * 24 * 3600 * 1000,
  },
  refugeeGroups: {
    name: 'intake.refugee-groups.v1',
    partitions: 6,
    owner: 'intake',
    description: 'Lifecycle of refugee groups: arrived, headcount changed, departed, relocated, cancelled.',
    retentionMs: FOREVER,
  },
  practiceNotifications: {
    name: 'practice-notification.notifications.v1',
    partitions: 6,
    owner: 'practice-notification',
    description: 'Practices notified about groups in their area, and the care arrangement each chose.',
    retentionMs: FOREVER,
  },
  practiceCaseload: {
    name: 'practice-notification.caseload.v1',
    partitions: 6,
    owner: 'practice-notification',
    description: 'Refugee caseload reported per practice (care burden), for the overview and fair rostering.',
    retentionMs: FOREVER,
  },
  practiceDirectory: {
    name: 'practice-notification.directory.v1',
    partitions: 3,
    owner: 'practice-notification',
    description: 'Practices and their GPs (AGB code, FTE, location) for rostering; no names or contact data.',
    retentionMs: FOREVER,
  },
  centralLocations: {
    name: 'clinic-scheduling.central-locations.v1',
    partitions: 3,
    owner: 'clinic-scheduling',
    description: 'Central locations opened for consultation hours.',
    retentionMs: FOREVER,
  },
  clinicShifts: {
    name: 'clinic-scheduling.shifts.v1',
    partitions: 6,
    owner: 'clinic-scheduling',
    description: 'Published GP shifts at central locations: assigned and released.',
    retentionMs: FOREVER,
  },
  consultations: {
    name: 'clinic-scheduling.consultations.v1',
    partitions: 6,
    owner: 'clinic-scheduling',
    description: 'Consultations held at central locations; declarations turns them into declaration lines.',
    retentionMs: FOREVER,
  },
  declarationBatches: {
    name: 'declarations.batches.v1',
    partitions: 3,
    owner: 'declarations',
    description: 'Closed declaration batches ready for finance, with totals and a checksum.',
    retentionMs: FOREVER,
  },
  clinicSessions: {
    name: 'clinic-scheduling.sessions.v1',
    partitions: 6,
    owner: 'clinic-scheduling',
    description: 'Consultation hours (sessions) at central locations: scheduled, changed, cancelled.',
    retentionMs: FOREVER,
  },
} as const satisfies Record<string, TopicDefinition>;

export type TopicKey = keyof typeof Topics;

export const ALL_TOPICS: readonly TopicDefinition[] = Object.values(Topics);

/** Every topic gets a dead-letter twin for messages that could not be processed. */
export function deadLetterTopicOf(topicName: string): string {
  return `${topicName}.dlq`;
}
