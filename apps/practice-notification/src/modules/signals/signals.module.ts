import { Module } from '@nestjs/common';
import { DecideArrangementHttpController } from './commands/decide-arrangement/decide-arrangement.http.controller';
import { DecideArrangementService } from './commands/decide-arrangement/decide-arrangement.service';
import { DeadlineWatcher } from './deadline-watcher';
import { GroupEventHandlers } from './event-handlers';
import { SignalsHttpController } from './queries/signals.http.controller';
import { SignalService } from './signal.service';
import { ShiftNoticeHandlers } from './shift-notice.handlers';

@Module({
  controllers: [GroupEventHandlers, ShiftNoticeHandlers, DecideArrangementHttpController, SignalsHttpController],
  providers: [SignalService, DecideArrangementService, DeadlineWatcher],
})
export class SignalsModule {}
