import { Module } from '@nestjs/common';
import { RecordSessionWhenSessionScheduledHandler } from './event-handlers/record-session-when-session-scheduled.handler';

@Module({ controllers: [RecordSessionWhenSessionScheduledHandler] })
export class SessionsModule {}
