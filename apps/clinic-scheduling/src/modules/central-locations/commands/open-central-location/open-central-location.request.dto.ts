import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { DUTCH_POSTCODE_OR_PC4 } from '@draaiboek/contracts';

export class OpenCentralLocationRequestDto {
  @IsString()
  @Length(1, 200)
  name!: string;

  @Matches(DUTCH_POSTCODE_OR_PC4, { message: 'postcode must be a Dutch postcode (1234 AB) or PC4 (1234)' })
  postcode!: string;

  /** The reception location (from intake's events) the consultation hour is held at. */
  @IsOptional()
  @IsUUID()
  receptionLocationId?: string;
}
