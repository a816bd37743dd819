import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { CBS_MUNICIPALITY_CODE, DUTCH_POSTCODE_OR_PC4, IsCalendarDate, LOCATION_KINDS, LocationKind } from '../common';
import { GroupCompositionV1 } from '../events/refugee-group-arrived/refugee-group-arrived.v1';

export class AnnouncedLocationV1 {
  @IsString()
  @Length(1, 200)
  name!: string;

  @Matches(DUTCH_POSTCODE_OR_PC4, { message: 'postcode must be a Dutch postcode (1234 AB) or PC4 (1234)' })
  postcode!: string;

  @IsIn(LOCATION_KINDS)
  kind!: LocationKind;
}

/**
 * What a municipal system sends to announce a group: the body of `POST /v1/arrivals` and
 * the `data` of an ArrivalAnnounced record on `municipal.arrivals.v1`. One contract, one validation.
 */
export class ArrivalAnnouncementV1 {
  /** The municipality's own id for the group; unique per municipality. */
  @IsString()
  @Length(1, 100)
  @Matches(/^[\w./:-]+$/, { message: 'reference may contain letters, digits and . / : - _' })
  reference!: string;

  @Matches(CBS_MUNICIPALITY_CODE, { message: 'municipalityCode must be GM followed by 4 digits' })
  municipalityCode!: string;

  @ValidateNested()
  @Type(() => AnnouncedLocationV1)
  location!: AnnouncedLocationV1;

  @IsInt()
  @Min(1)
  @Max(10000)
  headcount!: number;

  @IsCalendarDate()
  arrivalDate!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => GroupCompositionV1)
  composition?: GroupCompositionV1;

  /** How many people in the group have a BSN (a count, never the numbers). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  withBsnCount?: number;
}
