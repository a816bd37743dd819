import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { ConsultationRecorded, ConsultationRecordedV1, EventEnvelope } from '@draaiboek/contracts';
import { HandlerContext } from '@draaiboek/messaging';
import { AuditLog, serviceActor } from '@draaiboek/platform';
import { TariffTable } from '../../tariffs/tariff-table';
import { routePayer } from '../domain/payer-routing';

/**
 * Each consultation at a central location becomes exactly one declaration line, however often
 * its event arrives: the inbox absorbs redeliveries, and the unique consultation id absorbs a
 * replay of the topic. A code without a tariff still becomes a line, marked for attention:
 * nothing is lost, and nobody has to redo the GP's paperwork.
 */
@Controller()
export class RecordLineWhenConsultationRecordedHandler {
  constructor(
    @Inject(TariffTable) private readonly tariffs: TariffTable,
    private readonly audit: AuditLog,
  ) {}

  @EventPattern(ConsultationRecorded.v1.type)
  async handle(@Payload() event: EventEnvelope<ConsultationRecordedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const c = event.data;
    const rule = routePayer(c.dateOfCare, c.payerStatus);
    const tariff = this.tariffs.lookup(c.performanceCode, rule.payer, c.dateOfCare);
    const inserted: Array<{ id: string }> = await tx.manager.query(
      `INSERT INTO declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code,
                                      duration_class, payer, payer_scheme, amount_cents, tariff_version, status, problem, patient_pseudonym, encrypted_bsn)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (consultation_id) WHERE corrects_line_id IS NULL DO NOTHING
       RETURNING id`,
      [
        randomUUID(),
        c.consultationId,
        c.sessionId,
        c.centralLocationId,
        c.gpAgb,
        c.practiceAgb,
        c.dateOfCare,
        c.performanceCode,
        c.durationClass,
        rule.payer,
        rule.scheme,
        tariff.ok ? tariff.amountCents : null,
        tariff.ok ? tariff.version : null,
        tariff.ok ? 'open' : 'needs-attention',
        tariff.ok ? null : tariff.message,
        c.patientPseudonym,
        c.encryptedBsn ? JSON.stringify(c.encryptedBsn) : null,
      ],
    );
    await this.audit.record(
      tx.manager,
      serviceActor('declarations', `service:${event.source.split('/').pop()}`),
      inserted.map((line) => ({ event: 'declaration-line.recorded', action: 'create' as const, subjectKind: 'patient' as const, subjectReference: c.patientPseudonym, resourceId: line.id })),
    );
  }
}
