import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { AnnouncedLocationV1, CANCELLATION_REASONS, CancellationReason, IsCalendarDate } from '@draaiboek/contracts';

abstract class GroupChangeRequest {
  /** The municipality's own reference for this change: sending it again is harmless. */
  @IsString()
  @Length(1, 100)
  @Matches(/^[\w./:-]+$/, { message: 'changeReference may contain letters, digits and . / : - _' })
  changeReference!: string;
}

export class HeadcountChangeRequestDto extends GroupChangeRequest {
  @IsInt() @Min(1) @Max(10000)
  headcount!: number;

  @IsCalendarDate()
  effectiveDate!: string;
}

export class DepartureRequestDto extends GroupChangeRequest {
  @IsCalendarDate()
  departureDate!: string;
}

export class RelocationRequestDto extends GroupChangeRequest {
  @ValidateNested()
  @Type(() => AnnouncedLocationV1)
  location!: AnnouncedLocationV1;

  @IsCalendarDate()
  relocationDate!: string;
}

export class CancellationRequestDto extends GroupChangeRequest {
  @IsIn(CANCELLATION_REASONS)
  reason!: CancellationReason;
}
