import { Injectable } from '@nestjs/common';
import { AuditPatientSets } from '@draaiboek/platform';
import { DataSource } from 'typeorm';

/** The audit set reference of a closed batch: its export and its outcome are logged once, for every patient in it. */
export const batchSet = (batchId: string): string => `declaration-batch:${batchId}`;

/** The audit events that name a line of a patient as their resource (each line has exactly one). */
const LINE_EVENTS = ['declaration-line.recorded', 'declaration-line.corrected'];

/**
 * The closed batches a patient has a line in, for the NEN 7513 query (`GET /v1/audit`): found
 * through the patient's own entries, one per line (recorded or corrected), in the same transaction
 * as the line, and the lines' batch. A closed batch's membership cannot change: its lines can be
 * neither moved nor deleted (triggers), and no line can join it.
 */
@Injectable()
export class BatchPatientSets implements AuditPatientSets {
  constructor(private readonly db: DataSource) {}

  async setsOf(patientReference: string): Promise<string[]> {
    const rows: Array<{ batch_id: string }> = await this.db.query(
      `SELECT DISTINCT l.batch_id::text AS batch_id
         FROM audit_log a
         JOIN declaration_lines l ON l.id = (CASE WHEN a.event = ANY($2::text[]) THEN a.resource_id::uuid END)
         JOIN declaration_batches b ON b.id = l.batch_id AND b.closed_at IS NOT NULL
        WHERE a.subject_kind = 'patient' AND a.subject_reference = $1`,
      [patientReference, LINE_EVENTS],
    );
    return rows.map((r) => batchSet(r.batch_id));
  }
}
