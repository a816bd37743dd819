import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Settings every service shares. Each service extends this with its own. */
export class ServiceConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @Matches(/^[^,\s]+(,[^,\s]+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS!: string;

  /** Prepended to every topic name; lets several regions (or test runs) share a cluster. */
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9._-]*\.$/, { message: 'KAFKA_TOPIC_PREFIX must end with a dot, e.g. "drenthe."' })
  KAFKA_TOPIC_PREFIX?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT?: number;

  @IsOptional()
  @IsIn(['error', 'warn', 'info', 'debug'])
  LOG_LEVEL: 'error' | 'warn' | 'info' | 'debug' = 'info';

  /**
   * API keys as JSON: [{"id":"gm0114-system","sha256":"<hex>","roles":["municipality"],"municipalityCode":"GM0114"}].
   * Only hashes are configured; the key itself never sits in config or logs.
   */
  @IsOptional()
  @IsString()
  API_KEYS?: string;

  @IsOptional()
  @IsString()
  API_KEYS_FILE?: string;

  /** Ed25519 public keys of the web app's person tokens: [{"keyId":"web-1","publicKey":"-----BEGIN PUBLIC KEY-----..."}]. */
  @IsOptional()
  @IsString()
  PERSON_TOKEN_PUBLIC_KEYS?: string;

  @IsOptional()
  @IsString()
  PERSON_TOKEN_PUBLIC_KEYS_FILE?: string;
}
