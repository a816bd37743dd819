import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { migrateServiceDatabase, serviceDataSourceOptions } from '../database/database';
import { runWithCorrelation } from '../logging/correlation';
import { AuditLog } from './audit-log';
import { AuditLog1764300000000 } from './audit-log.migration';
import { AuditPatientSets1764800000000 } from './audit-patient-sets.migration';

jest.setTimeout(60_000);

describe('AuditLog.copy: one entry per subject of a bulk change, copied in its transaction', () => {
  const schema = `audit_copy_${randomBytes(4).toString('hex')}`;
  let db: DataSource;
  let audit: AuditLog;

  beforeAll(async () => {
    db = new DataSource(serviceDataSourceOptions({ url: process.env.DATABASE_URL as string, schema, entities: [], migrations: [AuditLog1764300000000, AuditPatientSets1764800000000] }));
    await db.initialize();
    await migrateServiceDatabase(db, schema);
    audit = new AuditLog(db);
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await db?.destroy();
  });

  it('writes each subject with its resource, the actor and the correlation id exactly as given, and the coordination finds them', async () => {
    const references = ['a'.repeat(64), 'tab\there', 'back\\slash', 'line\nbreak', 'NULL'];
    const resources = ['line-1', 'line-2', undefined, '\\N', 'line-5'];
    const actor = { userId: 'service:declarations', responsibleUserId: 'service:clinic\tscheduling' };

    const written = await runWithCorrelation({ correlationId: 'corr-1' }, () =>
      db.transaction((manager) => audit.copy(manager, actor, { event: 'declaration-line.recorded', action: 'create', subjectKind: 'patient' }, references, resources)),
    );

    expect(written).toBe(references.length);
    for (const [i, reference] of references.entries()) {
      expect(await audit.about('patient', reference)).toEqual([
        {
          occurredAt: expect.any(String),
          event: 'declaration-line.recorded',
          action: 'create',
          subjectKind: 'patient',
          subjectReference: reference,
          ...(resources[i] === undefined ? {} : { resourceId: resources[i] }),
          userId: 'service:declarations',
          responsibleUserId: 'service:clinic\tscheduling',
          correlationId: 'corr-1',
        },
      ]);
    }
  });

  it('writes nothing when the change it belongs to rolls back', async () => {
    const reference = randomBytes(32).toString('hex');
    await expect(
      db.transaction(async (manager) => {
        await audit.copy(manager, { userId: 'u', responsibleUserId: 'u' }, { event: 'x.created', action: 'create', subjectKind: 'patient' }, [reference], ['r']);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await audit.about('patient', reference)).toEqual([]);
  });

  it('refuses subjects and resources that do not pair up', async () => {
    await expect(db.transaction((manager) => audit.copy(manager, { userId: 'u', responsibleUserId: 'u' }, { event: 'x', action: 'create', subjectKind: 'patient' }, ['a', 'b'], ['r']))).rejects.toThrow(
      '2 audit subjects for 1 resources',
    );
  });
});
