import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { ArrivalAnnouncementV1 } from '@draaiboek/contracts';
import { CurrentPrincipal, Principal, Roles } from '@draaiboek/platform';
import { AnnounceArrivalResult, AnnounceArrivalService } from './announce-arrival.service';

@ApiBearerAuth()
@Controller('v1/arrivals')
export class AnnounceArrivalHttpController {
  constructor(private readonly service: AnnounceArrivalService) {}

  @ApiOperation({ summary: 'Announce the arrival of a refugee group (idempotent per municipality and reference)' })
  @Post()
  @HttpCode(202)
  @Roles('municipality', 'coordination')
  announce(@Body() body: ArrivalAnnouncementV1, @CurrentPrincipal() principal: Principal): Promise<AnnounceArrivalResult> {
    return this.service.announce(body, principal);
  }
}
