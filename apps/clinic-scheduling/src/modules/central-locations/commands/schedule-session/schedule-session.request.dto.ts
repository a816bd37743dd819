import { IsInt, Matches, Max, Min } from 'class-validator';
import { IsCalendarDate } from '@draaiboek/contracts';

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Date and times are Europe/Amsterdam wall-clock values. */
export class ScheduleSessionRequestDto {
  @IsCalendarDate()
  date!: string;

  @Matches(LOCAL_TIME, { message: 'startTime must be HH:mm' })
  startTime!: string;

  @Matches(LOCAL_TIME, { message: 'endTime must be HH:mm' })
  endTime!: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  capacity!: number;
}
