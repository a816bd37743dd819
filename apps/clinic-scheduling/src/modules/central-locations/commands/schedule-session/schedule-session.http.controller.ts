import { BadRequestException, Body, Controller, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { SessionScheduled } from '@draaiboek/contracts';
import { UnitOfWork } from '@draaiboek/messaging';
import { amsterdamToUtc, LocalTimeError, Access, SERVICE_CONFIG } from '@draaiboek/platform';
import { ClinicSchedulingConfig } from '../../../../config/clinic-scheduling.config';
import { CentralLocationRecord } from '../../database/central-location.orm-entity';
import { SessionRecord } from '../../database/session.orm-entity';
import { gpSlotsFor } from '../../domain/gp-slots';
import { CentralLocationService } from '../../central-location.service';
import { ScheduleSessionRequestDto } from './schedule-session.request.dto';

@ApiBearerAuth()
@Controller('v1/central-locations/:locationId/sessions')
export class ScheduleSessionHttpController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly locations: CentralLocationService,
    @Inject(SERVICE_CONFIG) private readonly config: ClinicSchedulingConfig,
  ) {}

  @ApiOperation({ summary: 'Schedule a consultation hour at a central location' })
  @Post()
  @Access('sessions', 'schedule')
  @HttpCode(201)
  schedule(
    @Param('locationId', new ParseUUIDPipe()) locationId: string,
    @Body() body: ScheduleSessionRequestDto,
  ): Promise<{ id: string; gpSlots: number }> {
    const { startsAt, endsAt } = sessionInstants(body);
    return this.uow.run(async ({ manager, publish }) => {
      const location = await manager.findOne(CentralLocationRecord, { where: { id: locationId } });
      if (!location) throw new NotFoundException({ error: 'unknown_central_location', message: `No central location ${locationId}` });
      await this.locations.assertReady(manager, locationId);
      if (startsAt.getTime() <= Date.now()) {
        throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'date', messages: ['a session cannot be scheduled in the past'] }] });
      }
      const minutes = (endsAt.getTime() - startsAt.getTime()) / 60000;
      const session: SessionRecord = {
        id: randomUUID(),
        centralLocationId: location.id,
        localDate: body.date,
        startsAt,
        endsAt,
        capacity: body.capacity,
        gpSlots: gpSlotsFor(body.capacity, minutes, this.config.CONSULTATIONS_PER_GP_HOUR),
        status: 'scheduled',
      };
      await manager.insert(SessionRecord, session);
      await publish(SessionScheduled.v1, {
        sessionId: session.id,
        centralLocationId: location.id,
        locationName: location.name,
        localDate: session.localDate,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        capacity: session.capacity,
        gpSlots: session.gpSlots,
      });
      return { id: session.id, gpSlots: session.gpSlots };
    });
  }
}

function sessionInstants(body: ScheduleSessionRequestDto): { startsAt: Date; endsAt: Date } {
  try {
    const startsAt = amsterdamToUtc(body.date, body.startTime);
    const endsAt = amsterdamToUtc(body.date, body.endTime);
    if (endsAt <= startsAt) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'endTime', messages: ['endTime must be after startTime'] }] });
    }
    return { startsAt, endsAt };
  } catch (error) {
    if (error instanceof LocalTimeError) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'startTime', messages: [error.message] }] });
    }
    throw error;
  }
}
