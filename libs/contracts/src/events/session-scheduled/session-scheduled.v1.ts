import { IsISO8601, IsInt, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { IsCalendarDate } from '../../common';

/**
 * A consultation hour (spreekuur) at a central location was put on the schedule.
 * Subject/key: sessionId. Times are UTC instants; `localDate` is the date in Europe/Amsterdam.
 */
export class SessionScheduledV1 {
  @IsUUID()
  sessionId!: string;

  @IsUUID()
  centralLocationId!: string;

  @IsString()
  @Length(1, 200)
  locationName!: string;

  @IsCalendarDate()
  localDate!: string;

  @IsISO8601({ strict: true })
  startsAt!: string;

  @IsISO8601({ strict: true })
  endsAt!: string;

  /** Consultations the session can hold. */
  @IsInt()
  @Min(1)
  @Max(1000)
  capacity!: number;

  /** GPs needed to staff it. */
  @IsInt()
  @Min(1)
  @Max(50)
  gpSlots!: number;
}
