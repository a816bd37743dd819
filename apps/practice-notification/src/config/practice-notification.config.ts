import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ServiceConfig } from '@draaiboek/platform';

export class PracticeNotificationConfig extends ServiceConfig {
  /** Above this headcount the advice is a central consultation hour (rule 2); the region file's value when unset. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  CENTRAL_LOCATION_THRESHOLD?: number;

  /** The region: municipalities, PC4 areas, hagros, instances (format of region.drenthe.json). */
  @IsOptional()
  @IsString()
  REGION_FILE?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be smtp://host:port or smtps://...' })
  SMTP_URL = 'smtp://127.0.0.1:1025';

  @IsOptional()
  @IsString()
  MAIL_FROM = 'Draaiboek <noreply@draaiboek.example.org>';

  /** Where people open Draaiboek; used for links in e-mails. */
  @IsOptional()
  @IsString()
  PUBLIC_BASE_URL = 'http://127.0.0.1:3002';

  /** No answer this long after the signal: a reminder to the practice. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  REMINDER_AFTER_SECONDS = 2 * 24 * 3600;

  /** Still no answer this long after the signal: escalation to the coordination. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  ESCALATION_AFTER_SECONDS = 4 * 24 * 3600;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  DEADLINE_CHECK_INTERVAL_SECONDS = 60;
}
