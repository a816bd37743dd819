import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CBS_MUNICIPALITY_CODE, DUTCH_POSTCODE_OR_PC4, IsCalendarDate, LOCATION_KINDS, LocationKind } from '../../common';

export class ArrivalLocationV1 {
  @IsUUID()
  locationId!: string;

  @IsString()
  @Length(1, 200)
  name!: string;

  @Matches(DUTCH_POSTCODE_OR_PC4, { message: 'postcode must be a Dutch postcode (1234 AB) or PC4 (1234)' })
  postcode!: string;

  @Matches(/^[1-9]\d{3}$/)
  pc4!: string;

  @IsIn(LOCATION_KINDS)
  kind!: LocationKind;
}

/** Counts only: a group's composition never identifies a person. */
export class GroupCompositionV1 {
  @IsOptional() @IsInt() @Min(0) children?: number;
  @IsOptional() @IsInt() @Min(0) adults?: number;
  @IsOptional() @IsInt() @Min(0) over65?: number;
  @IsOptional() @IsInt() @Min(0) pregnant?: number;
  @IsOptional() @IsInt() @Min(0) chronicCareNeeds?: number;
}

/**
 * A municipality announced that a refugee group arrives (or arrived) at a reception
 * location. Subject/key: groupId.
 */
export class RefugeeGroupArrivedV1 {
  @IsUUID()
  groupId!: string;

  @Matches(CBS_MUNICIPALITY_CODE, { message: 'municipalityCode must be GM followed by 4 digits' })
  municipalityCode!: string;

  /** The municipality's own reference for the group (unique per municipality). */
  @IsString()
  @Length(1, 100)
  reference!: string;

  @ValidateNested()
  @Type(() => ArrivalLocationV1)
  location!: ArrivalLocationV1;

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

  @IsOptional()
  @IsInt()
  @Min(0)
  withBsnCount?: number;
}
