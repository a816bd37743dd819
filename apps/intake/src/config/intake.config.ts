import { IsOptional, IsString } from 'class-validator';
import { ServiceConfig } from '@draaiboek/platform';

export class IntakeConfig extends ServiceConfig {
  /** A newer CBS municipality file than the bundled one (same format as municipalities.nl.json). */
  @IsOptional()
  @IsString()
  MUNICIPALITIES_FILE?: string;

  /**
   * Public keys municipal systems sign their Kafka records with, as JSON:
   * [{"keyId":"gm0114-2026","municipalityCode":"GM0114","publicKey":"-----BEGIN PUBLIC KEY-----..."}]
   */
  @IsOptional()
  @IsString()
  MUNICIPAL_SIGNING_KEYS?: string;

  @IsOptional()
  @IsString()
  MUNICIPAL_SIGNING_KEYS_FILE?: string;
}
