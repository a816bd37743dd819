import { BadRequestException, ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import { ConsultationRecorded } from '@draaiboek/contracts';
import { UnitOfWork } from '@draaiboek/messaging';
import { actorOf, AuditLog, Principal, pseudonymOf, uuidV7 } from '@draaiboek/platform';
import { ConsultationKeys } from '../../consultation-keys';
import { ConsultationRecord } from '../../database/consultation.orm-entity';
import { isCoordination, lockStartedSession, notRostered, rosteredPracticeOf } from '../../database/held-sessions';
import { RecordConsultationRequestDto } from './record-consultation.request.dto';

/**
 * Records a consultation and publishes ConsultationRecorded in one transaction. The BSN and
 * the patient reference never reach the database, the outbox, Kafka or the logs in plaintext.
 */
@Injectable()
export class RecordConsultationService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly keys: ConsultationKeys,
    private readonly audit: AuditLog,
  ) {}

  async record(sessionId: string, body: RecordConsultationRequestDto, principal: Principal): Promise<{ consultationId: string }> {
    const pseudonymKey = this.keys.pseudonymKey();
    const declarations = body.bsn !== undefined && body.bsn !== null ? this.keys.declarations() : undefined;
    const gpAgb = recordingGpOf(principal, body.gpAgb);
    const walkIn = body.walkIn ?? false;

    return this.uow.run(async ({ manager, publish }) => {
      const session = await lockStartedSession(manager, sessionId, new Date());
      const practiceAgb = await rosteredPracticeOf(manager, session.id, gpAgb);
      if (!practiceAgb) {
        if (!isCoordination(principal)) throw notRostered(session.id);
        throw new ConflictException({
          error: 'gp_not_rostered',
          message: `GP ${gpAgb} holds no published shift on session ${session.id}`,
          fields: [{ field: 'gpAgb', messages: ['this GP holds no published shift on the session'] }],
        });
      }
      if (!walkIn) {
        const [{ booked }]: Array<{ booked: number }> = await manager.query(
          'SELECT count(*)::int AS booked FROM consultations WHERE session_id = $1 AND NOT walk_in',
          [session.id],
        );
        if (booked >= session.capacity) {
          throw new ConflictException({
            error: 'session_full',
            message: `The session's ${session.capacity} places are taken; a patient without a booking is recorded as a walk-in`,
            capacity: session.capacity,
            booked,
          });
        }
      }

      const consultation: ConsultationRecord = {
        // Time-ordered (decision 0040): declarations indexes every line by its consultation id.
        id: uuidV7(),
        sessionId: session.id,
        gpAgb,
        practiceAgb,
        dateOfCare: session.localDate,
        performanceCode: body.performanceCode,
        durationClass: body.durationClass,
        bsnKnown: body.bsnKnown,
        thirdCountryNational: body.thirdCountryNational,
        patientPseudonym: pseudonymOf(pseudonymKey, body.patientReference.trim()),
        walkIn,
        encryptedBsn: declarations && body.bsn ? this.keys.encryptBsnForDeclarations(body.bsn) : null,
        recordedBy: principal.id,
        recordedAt: new Date(),
      };
      // TypeORM cannot type a jsonb column of an interface type for insert; the record is complete.
      await manager.insert(ConsultationRecord, consultation as never);
      await this.audit.record(manager, actorOf(principal), [
        { event: 'consultation.recorded', action: 'create', subjectKind: 'patient', subjectReference: consultation.patientPseudonym, resourceId: consultation.id },
      ]);
      await publish(ConsultationRecorded.v1, {
        consultationId: consultation.id,
        sessionId: session.id,
        centralLocationId: session.centralLocationId,
        gpAgb,
        practiceAgb,
        dateOfCare: consultation.dateOfCare,
        performanceCode: consultation.performanceCode,
        durationClass: consultation.durationClass,
        payerStatus: { bsnKnown: consultation.bsnKnown, thirdCountryNational: consultation.thirdCountryNational },
        patientPseudonym: consultation.patientPseudonym,
        walkIn,
        ...(consultation.encryptedBsn ? { encryptedBsn: { ...consultation.encryptedBsn } } : {}),
      });
      return { consultationId: consultation.id };
    });
  }
}

/** The coordination names the GP; a GP records as themselves. */
function recordingGpOf(principal: Principal, requested: string | undefined): string {
  if (isCoordination(principal)) {
    const gpAgb = requested ?? principal.gpAgb;
    if (!gpAgb) {
      throw new BadRequestException({
        error: 'validation_failed',
        fields: [{ field: 'gpAgb', messages: ['gpAgb is required when the coordination records a consultation'] }],
      });
    }
    return gpAgb;
  }
  if (!principal.gpAgb) {
    throw new ForbiddenException({ error: 'forbidden', message: 'This credential names no GP (gpAgb); a GP records as themselves' });
  }
  if (requested !== undefined && requested !== principal.gpAgb) {
    throw new ForbiddenException({ error: 'forbidden', message: 'A GP records consultations as themselves, not for another GP' });
  }
  return principal.gpAgb;
}
