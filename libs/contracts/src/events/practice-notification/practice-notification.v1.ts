import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsNumber, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { CBS_MUNICIPALITY_CODE, IsCalendarDate } from '../../common';
import { ArrivalLocationV1 } from '../refugee-group-arrived/refugee-group-arrived.v1';

export const AGB_CODE = /^\d{8}$/;
export const NOTIFICATION_REASONS = ['arrival', 'headcount-changed', 'departed', 'cancelled', 'relocated-here', 'relocated-away'] as const;
export type NotificationReason = (typeof NOTIFICATION_REASONS)[number];
export const CARE_ARRANGEMENTS = ['own-practice', 'central-location'] as const;
export type CareArrangement = (typeof CARE_ARRANGEMENTS)[number];

/**
 * A practice was told about a group in its area (rule 1), with the advice for its size (rule 2).
 * Subject/key: notificationId. Carries no person: practices and groups only.
 */
export class PracticeNotifiedV1 {
  @IsUUID() notificationId!: string;
  @IsUUID() groupId!: string;
  @Matches(AGB_CODE) practiceAgb!: string;
  @IsString() @Length(1, 50) hagroCode!: string;
  @Matches(CBS_MUNICIPALITY_CODE) municipalityCode!: string;
  @IsIn(NOTIFICATION_REASONS) reason!: NotificationReason;
  @ValidateNested() @Type(() => ArrivalLocationV1) location!: ArrivalLocationV1;
  @IsInt() @Min(0) @Max(10000) headcount!: number;
  @IsCalendarDate() arrivalDate!: string;
  /** Rule 2: above the region's threshold the advice is a central consultation hour. */
  @IsIn(CARE_ARRANGEMENTS) advice!: CareArrangement;
}

/**
 * A practice, or its hagro's coordinator for the whole hagro, chose how the group gets GP care
 * (rule 3). Subject/key: groupId, so the arrangements for one group stay in order.
 */
export class CareArrangementChosenV1 {
  @IsUUID() groupId!: string;
  @IsUUID() notificationId!: string;
  @Matches(AGB_CODE) practiceAgb!: string;
  @IsString() @Length(1, 50) hagroCode!: string;
  @IsIn(['practice', 'hagro']) decidedFor!: 'practice' | 'hagro';
  @IsIn(CARE_ARRANGEMENTS) arrangement!: CareArrangement;
  @Matches(CBS_MUNICIPALITY_CODE) municipalityCode!: string;
  @ValidateNested() @Type(() => ArrivalLocationV1) location!: ArrivalLocationV1;
  @IsInt() @Min(0) @Max(10000) headcount!: number;
  /** Credential id of who decided (not a name). */
  @IsString() @Length(1, 100) decidedBy!: string;
  @IsISO8601({ strict: true }) decidedAt!: string;
}

/**
 * A practice's contact person reported how many refugees the practice cares for on a date
 * (rule 6). Subject/key: practiceAgb. clinic-scheduling uses it to spread shifts fairly (rule 7).
 */
export class CaseloadReportedV1 {
  @Matches(AGB_CODE) practiceAgb!: string;
  @IsString() @Length(1, 50) hagroCode!: string;
  @IsOptional() @Matches(CBS_MUNICIPALITY_CODE) municipalityCode?: string;
  @IsCalendarDate() reportedOn!: string;
  @IsInt() @Min(0) @Max(100000) refugeeCount!: number;
  /** The practice's GP capacity in FTE when reported, so burden per FTE can be derived. */
  @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) @Max(100) gpFte!: number;
}
