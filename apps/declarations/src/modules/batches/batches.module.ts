import { Global, Module } from '@nestjs/common';
import { AUDIT_PATIENT_SETS } from '@draaiboek/platform';
import { BatchPatientSets } from './batch-patient-sets';
import { BatchSchedule } from './batch-schedule';
import { BatchService } from './batch.service';
import { BatchesHttpController } from './batches.http.controller';

/** Global for one export: the platform's audit log finds a patient's batches through AUDIT_PATIENT_SETS. */
@Global()
@Module({
  controllers: [BatchesHttpController],
  providers: [BatchService, BatchSchedule, { provide: AUDIT_PATIENT_SETS, useClass: BatchPatientSets }],
  exports: [AUDIT_PATIENT_SETS],
})
export class BatchesModule {}
