import { Module } from '@nestjs/common';
import { RosterHttpController } from './roster.http.controller';
import { RosterService } from './roster.service';

@Module({ controllers: [RosterHttpController], providers: [RosterService] })
export class RosterModule {}
