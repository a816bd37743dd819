import { randomUUID } from 'node:crypto';
import { ConsultationRecorded, ConsultationRecordedV1, createEnvelope, EventEnvelope } from '@draaiboek/contracts';

/** A ConsultationRecorded as clinic-scheduling publishes it, for the declarations tests: a consultation without a BSN unless `overrides` gives one. */
export function consultationRecorded(overrides: Partial<ConsultationRecordedV1> = {}): EventEnvelope<ConsultationRecordedV1> {
  const data: ConsultationRecordedV1 = {
    consultationId: randomUUID(),
    sessionId: randomUUID(),
    centralLocationId: randomUUID(),
    gpAgb: '81000011',
    practiceAgb: '99100001',
    dateOfCare: '2026-11-24',
    performanceCode: '12000',
    durationClass: 'regular',
    payerStatus: { bsnKnown: false, thirdCountryNational: false },
    patientPseudonym: 'b'.repeat(64),
    walkIn: false,
    ...overrides,
  };
  return createEnvelope({ type: ConsultationRecorded.v1.type, source: '/draaiboek/clinic-scheduling', subject: data.consultationId, data });
}
