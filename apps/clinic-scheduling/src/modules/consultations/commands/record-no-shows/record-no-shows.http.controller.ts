import { BadRequestException, Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation } from '@nestjs/swagger';
import { UnitOfWork } from '@draaiboek/messaging';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { assertMayActOnSession, lockStartedSession } from '../../database/held-sessions';
import { SessionAttendanceRecord } from '../../database/session-attendance.orm-entity';
import { schemaOf } from '../../openapi-schemas';
import { RecordNoShowsRequestDto } from './record-no-shows.request.dto';

@ApiBearerAuth()
@Controller('v1/sessions/:sessionId/no-shows')
export class RecordNoShowsHttpController {
  constructor(private readonly uow: UnitOfWork) {}

  @ApiOperation({ summary: 'Set how many booked patients did not come to a session (a GP on the session, or the coordination)' })
  @ApiBody({ schema: schemaOf(RecordNoShowsRequestDto) })
  @Post()
  @Access('consultations', 'record-no-shows')
  @HttpCode(200)
  record(
    @Param('sessionId', new ParseUUIDPipe()) sessionId: string,
    @Body() body: RecordNoShowsRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ sessionId: string; noShows: number }> {
    return this.uow.run(async ({ manager }) => {
      const session = await lockStartedSession(manager, sessionId, new Date());
      await assertMayActOnSession(manager, principal, session.id);
      if (body.count > session.capacity) {
        throw new BadRequestException({
          error: 'validation_failed',
          fields: [{ field: 'count', messages: [`count must not exceed the session's capacity (${session.capacity})`] }],
        });
      }
      await manager.upsert(
        SessionAttendanceRecord,
        { sessionId: session.id, noShows: body.count, updatedAt: new Date(), updatedBy: principal.id },
        ['sessionId'],
      );
      return { sessionId: session.id, noShows: body.count };
    });
  }
}
