import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsNumber, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { AGB_CODE } from './practice-notification.v1';

export class RegisteredGpV1 {
  @Matches(AGB_CODE) gpAgb!: string;
  @IsNumber({ maxDecimalPlaces: 2 }) @Min(0.01) @Max(1.5) fte!: number;
}

/**
 * The directory's view of a practice for rostering: where it is, its hagro, and its GPs by AGB
 * code and FTE. No names or contact data travel on Kafka. Subject/key: practiceAgb.
 */
export class PracticeRegisteredV1 {
  @Matches(AGB_CODE) practiceAgb!: string;
  @IsString() @Length(1, 50) hagroCode!: string;
  @IsNumber() @Min(50.7) @Max(53.6) latitude!: number;
  @IsNumber() @Min(3.3) @Max(7.3) longitude!: number;
  @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => RegisteredGpV1) gps!: RegisteredGpV1[];
}
