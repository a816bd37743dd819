import { Type } from 'class-transformer';
import { IsIn, IsInt, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';
import { CBS_MUNICIPALITY_CODE, IsCalendarDate } from '../../common';
import { ArrivalLocationV1 } from '../refugee-group-arrived/refugee-group-arrived.v1';

/** Fields every lifecycle event of a group carries. Subject/key: groupId, so a group's events stay ordered. */
abstract class GroupEventV1 {
  @IsUUID()
  groupId!: string;

  @Matches(CBS_MUNICIPALITY_CODE)
  municipalityCode!: string;
}

/** The municipality reported a new size for a group that stays where it is. */
export class RefugeeGroupHeadcountChangedV1 extends GroupEventV1 {
  @IsUUID()
  locationId!: string;

  @IsInt() @Min(1) @Max(10000)
  previousHeadcount!: number;

  @IsInt() @Min(1) @Max(10000)
  headcount!: number;

  @IsCalendarDate()
  effectiveDate!: string;
}

/** The whole group left the region's care (moved on, returned, housed elsewhere). */
export class RefugeeGroupDepartedV1 extends GroupEventV1 {
  @IsUUID()
  locationId!: string;

  /** People who left: the group's headcount at departure. */
  @IsInt() @Min(1) @Max(10000)
  headcount!: number;

  @IsCalendarDate()
  departureDate!: string;
}

/** The group moved to another reception location; practices of the new area must be signalled. */
export class RefugeeGroupRelocatedV1 extends GroupEventV1 {
  @ValidateNested()
  @Type(() => ArrivalLocationV1)
  from!: ArrivalLocationV1;

  @ValidateNested()
  @Type(() => ArrivalLocationV1)
  to!: ArrivalLocationV1;

  @IsInt() @Min(1) @Max(10000)
  headcount!: number;

  @IsCalendarDate()
  relocationDate!: string;
}

export const CANCELLATION_REASONS = ['announced-in-error', 'did-not-arrive', 'duplicate', 'other'] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

/** The announcement is withdrawn: the group never arrived; it counts nowhere, not even in the past. */
export class RefugeeGroupCancelledV1 extends GroupEventV1 {
  @IsUUID()
  locationId!: string;

  /** A code, not free text: free text could carry personal data. */
  @IsIn(CANCELLATION_REASONS)
  reason!: CancellationReason;
}
