import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ServiceConfig } from '@draaiboek/platform';

export class PracticeNotificationConfig extends ServiceConfig {
  /** Above this headcount the advice is a central consultation hour (rule 2). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  CENTRAL_LOCATION_THRESHOLD = 100;
}
