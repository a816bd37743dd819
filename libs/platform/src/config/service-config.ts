import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

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

  /** TLS to the brokers. On by itself when a CA, certificate or SASL is configured. */
  @IsOptional()
  @Type(() => String)
  @IsIn(['true', 'false'], { message: 'KAFKA_TLS must be true or false' })
  KAFKA_TLS?: 'true' | 'false';

  /** PEM file of the CA that signed the brokers' certificates (default: the system's CAs). */
  @IsOptional()
  @IsString()
  KAFKA_TLS_CA_FILE?: string;

  /** Client certificate and key (PEM files) when the brokers ask for mutual TLS. */
  @ValidateIf((c: ServiceConfig) => c.KAFKA_TLS_KEY_FILE !== undefined)
  @IsString({ message: 'KAFKA_TLS_CERT_FILE is required with KAFKA_TLS_KEY_FILE' })
  KAFKA_TLS_CERT_FILE?: string;

  @ValidateIf((c: ServiceConfig) => c.KAFKA_TLS_CERT_FILE !== undefined)
  @IsString({ message: 'KAFKA_TLS_KEY_FILE is required with KAFKA_TLS_CERT_FILE' })
  KAFKA_TLS_KEY_FILE?: string;

  @IsOptional()
  @IsIn(['scram-sha-256', 'scram-sha-512'], { message: 'KAFKA_SASL_MECHANISM must be scram-sha-256 or scram-sha-512' })
  KAFKA_SASL_MECHANISM?: 'scram-sha-256' | 'scram-sha-512';

  @ValidateIf((c: ServiceConfig) => c.KAFKA_SASL_MECHANISM !== undefined)
  @IsString({ message: 'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM' })
  KAFKA_SASL_USERNAME?: string;

  /** The SCRAM password, or a file holding it (a mounted secret). */
  @ValidateIf((c: ServiceConfig) => c.KAFKA_SASL_MECHANISM !== undefined && c.KAFKA_SASL_PASSWORD_FILE === undefined)
  @IsString({ message: 'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM' })
  KAFKA_SASL_PASSWORD?: string;

  @IsOptional()
  @IsString()
  KAFKA_SASL_PASSWORD_FILE?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT?: number;

  /**
   * How many of its assigned partitions a service's consumer works on at once (order is kept per
   * partition). Above 1, one partition's transaction overlaps another's round trips and commit.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  KAFKA_PARTITIONS_CONCURRENTLY = 3;

  /**
   * Most bytes one fetch brings of one partition (kafkajs' maxBytesPerPartition, its default
   * 1 MiB). More bytes per fetch means fewer pauses between fetches, in which neither the
   * consumer nor Postgres has work, and several chunks per partition, so one is decoded while
   * the one before it is written.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(65536)
  @Max(67108864)
  KAFKA_FETCH_BYTES_PER_PARTITION = 1048576;

  /** Most events a batch handler applies in one transaction (one chunk). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  KAFKA_CHUNK_EVENTS = 1000;

  /** Requests without a credential (health, docs, mistakes) per client address and minute. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  HTTP_PUBLIC_RATE_LIMIT = 300;

  /** Failed authentications per client address and minute before the address is refused. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  HTTP_AUTH_FAILURE_LIMIT = 60;

  /** Express `trust proxy`: `false` (default), `true`, a hop count, or addresses/`loopback`. */
  @IsOptional()
  @IsString()
  HTTP_TRUST_PROXY?: string;

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

  /** Ed25519 public keys of the web app's person tokens: [{"keyId":"web-1","publicKey":"-----BEGIN PUBLIC KEY-----..."}]. */
  @IsOptional()
  @IsString()
  PERSON_TOKEN_PUBLIC_KEYS?: string;

  @IsOptional()
  @IsString()
  PERSON_TOKEN_PUBLIC_KEYS_FILE?: string;
}
