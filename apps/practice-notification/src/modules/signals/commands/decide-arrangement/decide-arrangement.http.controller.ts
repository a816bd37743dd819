import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CARE_ARRANGEMENTS, CareArrangement } from '@draaiboek/contracts';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { DecideArrangementService, DecisionResult } from './decide-arrangement.service';

export class DecideArrangementRequestDto {
  @IsIn(CARE_ARRANGEMENTS)
  arrangement!: CareArrangement;

  /** `hagro`: the hagro's coordinator decides for all its practices signalled about this group. */
  @IsOptional()
  @IsIn(['practice', 'hagro'])
  decidedFor?: 'practice' | 'hagro';
}

@ApiBearerAuth()
@Controller('v1/notifications/:notificationId/decision')
export class DecideArrangementHttpController {
  constructor(private readonly service: DecideArrangementService) {}

  @ApiOperation({ summary: 'Choose own-practice care or a central location for the group (once; a second decision is a 409)' })
  @Post()
  @Access('notifications', 'decide')
  @HttpCode(201)
  decide(
    @Param('notificationId', new ParseUUIDPipe()) notificationId: string,
    @Body() body: DecideArrangementRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DecisionResult> {
    return this.service.decide(notificationId, body.arrangement, body.decidedFor ?? 'practice', principal);
  }
}
