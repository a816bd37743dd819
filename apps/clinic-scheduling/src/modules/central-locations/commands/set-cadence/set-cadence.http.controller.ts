import { BadRequestException, Body, Controller, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsCalendarDate } from '@draaiboek/contracts';
import { UnitOfWork } from '@draaiboek/messaging';
import { Access } from '@draaiboek/platform';
import { SessionPlanner } from '../../session-planner.service';

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export class SetCadenceRequestDto {
  /** ISO weekdays: 1 = Monday ... 7 = Sunday. Every weekday at first (1-5); three days later (rule 8). */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(7) @ArrayUnique() @IsIn([1, 2, 3, 4, 5, 6, 7], { each: true })
  weekdays!: number[];

  @Matches(LOCAL_TIME, { message: 'startTime must be HH:mm' }) startTime!: string;
  @Matches(LOCAL_TIME, { message: 'endTime must be HH:mm' }) endTime!: string;
  @IsCalendarDate() from!: string;
  @IsInt() @Min(1) @Max(26) weeks!: number;
  @IsOptional() @IsNumber({ maxDecimalPlaces: 4 }) @Min(0.001) @Max(1) consultationRate?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1000) capacity?: number;
}

@ApiBearerAuth()
@Controller('v1/central-locations/:locationId/cadence')
export class SetCadenceHttpController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly planner: SessionPlanner,
  ) {}

  @ApiOperation({ summary: 'Set the cadence of consultation hours; schedules the sessions of the window (SessionScheduled) and cancels dropped days' })
  @Put()
  @Access('cadence', 'set')
  set(@Param('locationId', new ParseUUIDPipe()) locationId: string, @Body() body: SetCadenceRequestDto) {
    if (body.endTime <= body.startTime) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'endTime', messages: ['endTime must be after startTime'] }] });
    }
    return this.uow.run((tx) => this.planner.applyCadence(tx, locationId, body));
  }
}
