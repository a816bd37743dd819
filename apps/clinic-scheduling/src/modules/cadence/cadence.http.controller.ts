import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { CadenceService } from './cadence.service';

export class RejectRecommendationDto {
  @IsString() @Length(3, 1000) reason!: string;
}

@ApiBearerAuth()
@Controller('v1')
export class CadenceHttpController {
  constructor(private readonly cadence: CadenceService) {}

  @ApiOperation({ summary: 'Evaluate the cadence now (rule 8); records a recommendation when utilisation stayed low for two weeks' })
  @Post('central-locations/:locationId/cadence-evaluation')
  @Access('cadence', 'evaluate')
  @HttpCode(200)
  evaluate(@Param('locationId', new ParseUUIDPipe()) locationId: string) {
    return this.cadence.evaluate(locationId);
  }

  @ApiOperation({ summary: 'Approve: future sessions follow the proposed days; dropped sessions are cancelled and their shifts released with notice' })
  @Post('cadence-recommendations/:id/approve')
  @Access('cadence', 'approve')
  @HttpCode(200)
  approve(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return this.cadence.approve(id, principal);
  }

  @ApiOperation({ summary: 'Reject, with a reason that is kept' })
  @Post('cadence-recommendations/:id/reject')
  @Access('cadence', 'reject')
  @HttpCode(200)
  reject(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: RejectRecommendationDto, @CurrentPrincipal() principal: Principal) {
    return this.cadence.reject(id, body.reason, principal);
  }
}
