import { IsNumber, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
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

  /** Where it is, for the GPs' travel distance. */
  @IsOptional() @IsNumber() @Min(50.7) @Max(53.6) latitude?: number;
  @IsOptional() @IsNumber() @Min(3.3) @Max(7.3) longitude?: number;
}
