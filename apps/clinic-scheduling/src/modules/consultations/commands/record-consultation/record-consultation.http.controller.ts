import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { schemaOf } from '../../openapi-schemas';
import { RecordConsultationRequestDto } from './record-consultation.request.dto';
import { RecordConsultationService } from './record-consultation.service';

@ApiBearerAuth()
@Controller('v1/sessions/:sessionId/consultations')
export class RecordConsultationHttpController {
  constructor(private readonly service: RecordConsultationService) {}

  @ApiOperation({
    summary: 'Record a consultation held at a session (a GP on the session, or the coordination for such a GP)',
    description:
      'The patient reference is kept only as a keyed pseudonym; the BSN only encrypted for declarations. ' +
      'Booked consultations stay within the capacity; walk-ins are counted beyond it.',
  })
  @ApiBody({ schema: schemaOf(RecordConsultationRequestDto, ['bsn']) })
  @Post()
  @Access('consultations', 'record')
  @HttpCode(201)
  record(
    @Param('sessionId', new ParseUUIDPipe()) sessionId: string,
    @Body() body: RecordConsultationRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ consultationId: string }> {
    return this.service.record(sessionId, body, principal);
  }
}
