import { IsOptional, IsString } from 'class-validator';
import { ServiceConfig } from '@draaiboek/platform';

export class DeclarationsConfig extends ServiceConfig {
  /** A newer tariff file than the bundled one (same format as tariffs.nl.json): changes without a release. */
  @IsOptional()
  @IsString()
  TARIFFS_FILE?: string;
}
