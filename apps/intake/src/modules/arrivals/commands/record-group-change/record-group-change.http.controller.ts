import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { ArrivalRejectionHttpFilter } from '../../arrival-rejection.http-filter';
import { schemaOf } from '../../openapi-schemas';
import { announcerOf } from '../announce-arrival/announce-arrival.http.controller';
import {
  CancellationRequestDto,
  DepartureRequestDto,
  HeadcountChangeRequestDto,
  RelocationRequestDto,
} from './group-change.request.dto';
import { GroupChangeResult, RecordGroupChangeService } from './record-group-change.service';

@ApiBearerAuth()
@Controller('v1/groups/:groupId')
@UseFilters(ArrivalRejectionHttpFilter)
export class RecordGroupChangeHttpController {
  constructor(private readonly service: RecordGroupChangeService) {}

  @ApiOperation({ summary: 'The group has another size from a date on (idempotent per changeReference)' })
  @ApiBody({ schema: schemaOf(HeadcountChangeRequestDto) })
  @Post('headcount-changes')
  @Access('groups', 'change')
  @HttpCode(202)
  changeHeadcount(
    @Param('groupId', new ParseUUIDPipe()) groupId: string,
    @Body() body: HeadcountChangeRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<GroupChangeResult> {
    return this.service.changeHeadcount(groupId, body, announcerOf(principal));
  }

  @ApiOperation({ summary: 'The whole group left (idempotent per changeReference)' })
  @ApiBody({ schema: schemaOf(DepartureRequestDto) })
  @Post('departure')
  @Access('groups', 'change')
  @HttpCode(202)
  depart(
    @Param('groupId', new ParseUUIDPipe()) groupId: string,
    @Body() body: DepartureRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<GroupChangeResult> {
    return this.service.depart(groupId, body, announcerOf(principal));
  }

  @ApiOperation({ summary: 'The group moved to another reception location (idempotent per changeReference)' })
  @ApiBody({ schema: schemaOf(RelocationRequestDto) })
  @Post('relocation')
  @Access('groups', 'change')
  @HttpCode(202)
  relocate(
    @Param('groupId', new ParseUUIDPipe()) groupId: string,
    @Body() body: RelocationRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<GroupChangeResult> {
    return this.service.relocate(groupId, body, announcerOf(principal));
  }

  @ApiOperation({ summary: 'The announcement is withdrawn: the group never came (idempotent per changeReference)' })
  @ApiBody({ schema: schemaOf(CancellationRequestDto) })
  @Post('cancellation')
  @Access('groups', 'change')
  @HttpCode(202)
  cancel(
    @Param('groupId', new ParseUUIDPipe()) groupId: string,
    @Body() body: CancellationRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<GroupChangeResult> {
    return this.service.cancel(groupId, body, announcerOf(principal));
  }
}
