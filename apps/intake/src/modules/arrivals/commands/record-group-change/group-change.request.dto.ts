import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { AnnouncedLocationV1, CANCELLATION_REASONS, CancellationReason, ISO_DATE } from '@draaiboek/contracts';

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

  @Matches(ISO_DATE, { message: 'effectiveDate must be an ISO date (YYYY-MM-DD)' })
  effectiveDate!: string;
}

export class DepartureRequestDto extends GroupChangeRequest {
  @Matches(ISO_DATE, { message: 'departureDate must be an ISO date (YYYY-MM-DD)' })
  departureDate!: string;
}

export class RelocationRequestDto extends GroupChangeRequest {
  @ValidateNested()
  @Type(() => AnnouncedLocationV1)
  location!: AnnouncedLocationV1;

  @Matches(ISO_DATE, { message: 'relocationDate must be an ISO date (YYYY-MM-DD)' })
  relocationDate!: string;
}

export class CancellationRequestDto extends GroupChangeRequest {
  @IsIn(CANCELLATION_REASONS)
  reason!: CancellationReason;
}
