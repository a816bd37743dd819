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

  /** OTLP/HTTP collector for traces (`http://otel-collector:4318`). Unset: traces are propagated and logged, not exported. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
}
