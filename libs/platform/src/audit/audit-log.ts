import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { currentCorrelation } from '../logging/correlation';
import { copyField, copyIn } from '../database/copy-in';

export type AuditAction = 'create' | 'read' | 'update' | 'export';
/** Whose data: a patient (by the keyed pseudonym of their reference) or a GP (by AGB code). */
export type AuditSubjectKind = 'patient' | 'gp';

export interface AuditActor {
  userId: string;
  /** On whose behalf the user acted; the user themselves when nobody else. */
  responsibleUserId: string;
}

export interface AuditEntry {
  /** What happened, e.g. `consultation.recorded`, `declaration-batch.exported`. */
  event: string;
  action: AuditAction;
  subjectKind: AuditSubjectKind;
  subjectReference: string;
  resourceId?: string;
}

export interface AuditRecord extends AuditEntry {
  occurredAt: string;
  /** Present when the entry named a set of patients this subject belongs to (e.g. `declaration-batch:<id>`). */
  via?: string;
  userId: string;
  responsibleUserId: string;
  correlationId?: string;
}

/** The actor of an HTTP request: the principal, and the person it acts for. */
export function actorOf(principal: Principal): AuditActor {
  return { userId: principal.id, responsibleUserId: principal.responsibleUserId ?? principal.id };
}

/** The actor of work a service does on its own, such as consuming an event. */
export function serviceActor(service: string, onBehalfOf?: string): AuditActor {
  return { userId: `service:${service}`, responsibleUserId: onBehalfOf ?? `service:${service}` };
}

/**
 * The immutable sets of patients a service logs one entry for (see `AuditLog.recordForSet`), so
 * `about` can find those entries for each patient of a set. A service that writes set entries
 * provides this under AUDIT_PATIENT_SETS.
 */
export interface AuditPatientSets {
  /** The references (`<kind>:<id>`) of every set that holds this patient. */
  setsOf(patientReference: string): Promise<string[]>;
}
export const AUDIT_PATIENT_SETS = Symbol('AUDIT_PATIENT_SETS');

const COLUMNS = 'event, action, subject_kind, subject_reference, resource_id, user_id, responsible_user_id, correlation_id';

/**
 * NEN 7513 logging: every read or change of person-level data is written here, inside the
 * transaction that reads or changes it, so a change is never without its entry.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly db: DataSource,
    @Optional() @Inject(AUDIT_PATIENT_SETS) private readonly patientSets?: AuditPatientSets,
  ) {}

  async record(manager: EntityManager | undefined, actor: AuditActor, entries: AuditEntry[]): Promise<void> {
    // Postgres takes at most 65535 parameters per statement: 1000 entries of 8 each.
    for (let start = 0; start < entries.length; start += 1000) {
      const values: unknown[] = [];
      const rows = entries.slice(start, start + 1000).map((e) => {
        const at = values.length;
        values.push(e.event, e.action, e.subjectKind, e.subjectReference, e.resourceId ?? null, actor.userId, actor.responsibleUserId, currentCorrelation()?.correlationId ?? null);
        return `(${Array.from({ length: 8 }, (_, i) => `$${at + i + 1}`).join(', ')})`;
      });
      await (manager ?? this.db.manager).query(`INSERT INTO audit_log (${COLUMNS}) VALUES ${rows.join(', ')}`, values);
    }
  }

  /**
   * One entry for an action on every patient of an immutable set, such as a closed declaration
   * batch (`set` = `declaration-batch:<id>`): the set's membership can no longer change, so the
   * entry says exactly whose data was touched, and `about` finds it for each of them through
   * AUDIT_PATIENT_SETS. For bulk reads and changes where an entry per patient would cost more
   * than the action itself (decision 0034).
   */
  async recordForSet(
    manager: EntityManager | undefined,
    actor: AuditActor,
    entry: Pick<AuditEntry, 'event' | 'action' | 'resourceId'> & { set: string },
  ): Promise<void> {
    await (manager ?? this.db.manager).query(`INSERT INTO audit_log (${COLUMNS}) VALUES ($1, $2, 'patient-set', $3, $4, $5, $6, $7)`, [
      entry.event,
      entry.action,
      entry.set,
      entry.resourceId ?? null,
      actor.userId,
      actor.responsibleUserId,
      currentCorrelation()?.correlationId ?? null,
    ]);
  }

  /**
   * One entry for each subject of a bulk change, by the same actor for the same event, written with
   * `COPY audit_log FROM STDIN` inside the change's own transaction: for volume, such as a chunk
   * of new declaration lines (decision 0039), where an INSERT of the entries costs Postgres about
   * as much as the change itself. `references[i]` is the i-th entry's subject, `resourceIds[i]`
   * its resource. Resolves with the number of entries Postgres wrote.
   */
  async copy(
    manager: EntityManager,
    actor: AuditActor,
    entry: Pick<AuditEntry, 'event' | 'action' | 'subjectKind'>,
    references: readonly string[],
    resourceIds: ReadonlyArray<string | undefined>,
  ): Promise<number> {
    if (references.length !== resourceIds.length) throw new Error(`${references.length} audit subjects for ${resourceIds.length} resources`);
    const head = `${copyField(entry.event)}\t${entry.action}\t${entry.subjectKind}\t`;
    const tail = `\t${copyField(actor.userId)}\t${copyField(actor.responsibleUserId)}\t${copyField(currentCorrelation()?.correlationId)}\n`;
    let rows = '';
    for (let i = 0; i < references.length; i += 1) rows += `${head}${copyField(references[i])}\t${copyField(resourceIds[i])}${tail}`;
    return copyIn(manager, `COPY audit_log (${COLUMNS}) FROM STDIN`, rows);
  }

  /**
   * For the coordination: who accessed this subject's data, and when, oldest first. For a
   * patient, this includes the entries for every set the patient belongs to (with `via`).
   */
  async about(subjectKind: AuditSubjectKind, subjectReference: string, limit = 1000): Promise<AuditRecord[]> {
    const sets = subjectKind === 'patient' && this.patientSets ? await this.patientSets.setsOf(subjectReference) : [];
    const rows: Array<Record<string, string | null>> = await this.db.query(
      `SELECT occurred_at, event, action, resource_id, user_id, responsible_user_id, correlation_id, via
         FROM (SELECT *, NULL AS via FROM audit_log WHERE subject_kind = $1 AND subject_reference = $2
               UNION ALL
               SELECT *, subject_reference AS via FROM audit_log WHERE subject_kind = 'patient-set' AND subject_reference = ANY($4::text[])) e
        ORDER BY occurred_at, id LIMIT $3`,
      [subjectKind, subjectReference, limit, sets],
    );
    return rows.map((r) => ({
      occurredAt: new Date(r.occurred_at as string).toISOString(),
      event: r.event as string,
      action: r.action as AuditAction,
      subjectKind,
      subjectReference,
      ...(r.resource_id ? { resourceId: r.resource_id } : {}),
      userId: r.user_id as string,
      responsibleUserId: r.responsible_user_id as string,
      ...(r.correlation_id ? { correlationId: r.correlation_id } : {}),
      ...(r.via ? { via: r.via } : {}),
    }));
  }
}

