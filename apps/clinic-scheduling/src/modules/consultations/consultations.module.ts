import { Module } from '@nestjs/common';
import { RecordConsultationHttpController } from './commands/record-consultation/record-consultation.http.controller';
import { RecordConsultationService } from './commands/record-consultation/record-consultation.service';
import { RecordNoShowsHttpController } from './commands/record-no-shows/record-no-shows.http.controller';
import { ConsultationKeys } from './consultation-keys';
import { WeeklyEvaluationHttpController } from './queries/weekly-evaluation.http.controller';

/** Consultations held at central locations (published for declarations), no-shows, and the weekly evaluation. */
@Module({
  controllers: [RecordConsultationHttpController, RecordNoShowsHttpController, WeeklyEvaluationHttpController],
  providers: [ConsultationKeys, RecordConsultationService],
})
export class ConsultationsModule {}
