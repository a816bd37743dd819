import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ServiceConfig } from '@draaiboek/platform';

export class ClinicSchedulingConfig extends ServiceConfig {
  /** Consultations one GP holds per hour at a central location; sets the GP slots of a session. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(12)
  CONSULTATIONS_PER_GP_HOUR = 4;
}
