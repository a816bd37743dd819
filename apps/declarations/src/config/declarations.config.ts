import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { ServiceConfig } from '@draaiboek/platform';

export class DeclarationsConfig extends ServiceConfig {
  /** A newer tariff file than the bundled one (same format as tariffs.nl.json): changes without a release. */
  @IsOptional()
  @IsString()
  TARIFFS_FILE?: string;

  /** The private key (PEM) the BSN was encrypted for by clinic-scheduling; needed to export batches with BSNs. */
  @IsOptional()
  @IsString()
  DECLARATIONS_PRIVATE_KEY?: string;

  @IsOptional()
  @IsString()
  DECLARATIONS_PRIVATE_KEY_FILE?: string;

  /** How often finished weeks are closed into batches (seconds). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(5)
  BATCH_CLOSE_INTERVAL_SECONDS = 3600;

  /** The period a batch covers per payer: an ISO week (Monday to Sunday) or a calendar month. */
  @IsOptional()
  @IsIn(['week', 'month'])
  BATCH_PERIOD: 'week' | 'month' = 'week';
}
