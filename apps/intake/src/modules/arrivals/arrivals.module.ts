import { Module } from '@nestjs/common';
import { AnnounceArrivalHttpController } from './commands/announce-arrival/announce-arrival.http.controller';
import { AnnounceArrivalService } from './commands/announce-arrival/announce-arrival.service';

@Module({
  controllers: [AnnounceArrivalHttpController],
  providers: [AnnounceArrivalService],
})
export class ArrivalsModule {}
