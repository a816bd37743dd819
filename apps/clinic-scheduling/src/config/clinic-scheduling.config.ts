import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { ServiceConfig } from '@draaiboek/platform';

export class ClinicSchedulingConfig extends ServiceConfig {
  /** Consultations one GP holds per hour at a central location; sets the GP slots of a session. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(12)
  CONSULTATIONS_PER_GP_HOUR = 4;

  /** Consultations per refugee per session: capacity = ceil(headcount x rate). */
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ maxDecimalPlaces: 4 })
  @Min(0.001)
  @Max(1)
  CONSULTATION_RATE = 0.05;

  /** Hours between the end of one shift and the start of the next (hard rule). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(48)
  MIN_REST_HOURS = 11;

  /** Hour-equivalents of burden per refugee per practice GP FTE (rule 7: caseload per FTE + hours worked). */
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ maxDecimalPlaces: 4 })
  @Min(0)
  BURDEN_HOURS_PER_REFUGEE_PER_FTE = 0.1;

  /** The rolling window over which hours worked at central locations count. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  BURDEN_WINDOW_DAYS = 91;

  /** Burden a km of travel is worth: prefers GPs near the location. */
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ maxDecimalPlaces: 4 })
  @Min(0)
  DISTANCE_WEIGHT_PER_KM = 0.05;

  /** Public key (PEM, RSA) of declarations: the BSN travels encrypted so that only declarations can read it. */
  @IsOptional()
  @IsString()
  DECLARATIONS_PUBLIC_KEY?: string;

  @IsOptional()
  @IsString()
  DECLARATIONS_KEY_ID = 'declarations-1';

  /** Secret for the patient pseudonym (HMAC-SHA256 of the local patient reference). */
  @IsOptional()
  @IsString()
  PATIENT_PSEUDONYM_KEY?: string;

  /** Rule 8: utilisation under this for two consecutive weeks recommends fewer days a week. */
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0.01)
  @Max(1)
  CADENCE_UTILISATION_THRESHOLD = 0.6;

  /** How often every location with a cadence is evaluated (seconds). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  CADENCE_EVALUATION_INTERVAL_SECONDS = 3600;
}
