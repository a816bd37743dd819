import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { ServiceConfig } from '@draaiboek/platform';

export class DeclarationsConfig extends ServiceConfig {
  /**
   * Consultations come in volume: a fetch brings up to 4 MiB of each partition (every other
   * service: 1 MiB), applied in chunks of 500, so one chunk is decoded while the one before it is
   * written and the consumer pauses for a fetch a quarter as often (decision 0036).
   */
  override KAFKA_FETCH_BYTES_PER_PARTITION = 4194304;
  override KAFKA_CHUNK_EVENTS = 500;

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

  /**
   * For key rotation, instead of the single key: a keyring, current key first,
   * [{"keyId":"declarations-2","privateKey":"<PEM>"},{"keyId":"declarations-1","privateKey":"<PEM>"}].
   * BSNs under an older key are re-encrypted for the current one in the background.
   */
  @IsOptional()
  @IsString()
  DECLARATIONS_PRIVATE_KEYS?: string;

  @IsOptional()
  @IsString()
  DECLARATIONS_PRIVATE_KEYS_FILE?: string;

  /** How often stored BSNs under an older key are looked for and re-encrypted (seconds). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  BSN_REWRAP_INTERVAL_SECONDS = 60;

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
