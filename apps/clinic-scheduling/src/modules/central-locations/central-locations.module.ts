import { Module } from '@nestjs/common';
import { CentralLocationService } from './central-location.service';
import { ChecklistHttpController } from './commands/checklist/checklist.http.controller';
import { OpenCentralLocationHttpController } from './commands/open-central-location/open-central-location.http.controller';
import { ScheduleSessionHttpController } from './commands/schedule-session/schedule-session.http.controller';
import { SetCadenceHttpController } from './commands/set-cadence/set-cadence.http.controller';
import { GroupAndDirectoryHandlers } from './event-handlers/group-and-directory.handlers';
import { RecordGroupWhenRefugeeGroupArrivedHandler } from './event-handlers/record-group-when-refugee-group-arrived.handler';
import { CentralLocationsQueryHttpController } from './queries/central-locations.http.controller';
import { SessionPlanner } from './session-planner.service';

@Module({
  controllers: [
    RecordGroupWhenRefugeeGroupArrivedHandler,
    GroupAndDirectoryHandlers,
    OpenCentralLocationHttpController,
    ChecklistHttpController,
    SetCadenceHttpController,
    ScheduleSessionHttpController,
    CentralLocationsQueryHttpController,
  ],
  providers: [CentralLocationService, SessionPlanner],
  exports: [CentralLocationService, SessionPlanner],
})
export class CentralLocationsModule {}
