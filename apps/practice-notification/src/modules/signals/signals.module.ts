import { Module } from '@nestjs/common';
import { RecordGroupWhenRefugeeGroupArrivedHandler } from './event-handlers/record-group-when-refugee-group-arrived.handler';

@Module({ controllers: [RecordGroupWhenRefugeeGroupArrivedHandler] })
export class SignalsModule {}
