import { Module } from '@nestjs/common';
import { BatchSchedule } from './batch-schedule';
import { BatchService } from './batch.service';
import { BatchesHttpController } from './batches.http.controller';

@Module({ controllers: [BatchesHttpController], providers: [BatchService, BatchSchedule] })
export class BatchesModule {}
