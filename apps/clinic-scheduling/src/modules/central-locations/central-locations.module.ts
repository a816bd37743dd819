import { Module } from '@nestjs/common';
import { OpenCentralLocationHttpController } from './commands/open-central-location/open-central-location.http.controller';
import { ScheduleSessionHttpController } from './commands/schedule-session/schedule-session.http.controller';
import { RecordGroupWhenRefugeeGroupArrivedHandler } from './event-handlers/record-group-when-refugee-group-arrived.handler';

@Module({
  controllers: [RecordGroupWhenRefugeeGroupArrivedHandler, OpenCentralLocationHttpController, ScheduleSessionHttpController],
})
export class CentralLocationsModule {}
