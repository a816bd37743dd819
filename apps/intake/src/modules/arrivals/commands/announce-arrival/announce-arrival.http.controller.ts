import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ArrivalAnnouncementV1 } from '@draaiboek/contracts';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { ArrivalRejectionHttpFilter } from '../../arrival-rejection.http-filter';
import { schemaOf } from '../../openapi-schemas';
import { AnnounceArrivalResult, AnnounceArrivalService } from './announce-arrival.service';

@ApiBearerAuth()
@Controller('v1/arrivals')
@UseFilters(ArrivalRejectionHttpFilter)
export class AnnounceArrivalHttpController {
  constructor(private readonly service: AnnounceArrivalService) {}

  @ApiOperation({
    summary: 'Announce the arrival of a refugee group',
    description:
      'Idempotent per municipality and reference: the same announcement again answers with the same group id; ' +
      'other values under a used reference are a 409 naming the differences.',
  })
  @ApiBody({ schema: schemaOf(ArrivalAnnouncementV1) })
  @ApiResponse({ status: 202, description: '{ groupId, created }' })
  @ApiResponse({ status: 400, description: '{ error: "validation_failed", fields: [{ field, messages }] }' })
  @ApiResponse({ status: 403, description: 'the credential belongs to another municipality' })
  @ApiResponse({ status: 409, description: '{ error: "reference_conflict", groupId, differences: [{ field, previous, received }] }' })
  @Post()
  @Access('arrivals', 'announce')
  @HttpCode(202)
  announce(@Body() body: ArrivalAnnouncementV1, @CurrentPrincipal() principal: Principal): Promise<AnnounceArrivalResult> {
    return this.service.announce(body, announcerOf(principal));
  }
}

export function announcerOf(principal: Principal): { id: string; municipalityCode?: string } {
  return principal.roles.includes('coordination') ? { id: principal.id } : { id: principal.id, municipalityCode: principal.municipalityCode ?? 'none' };
}
