import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditLog } from './audit/audit-log';
import { AUDIT_PSEUDONYM_KEY, AuditHttpController } from './audit/audit.http.controller';
import { ApiKeyRegistry } from './auth/api-keys';
import { AuthGuard } from './auth/auth.guard';
import { PersonTokenVerifier } from './auth/person-token';
import { ServiceConfig } from './config/service-config';
import { HealthController, HealthService } from './health/health';
import { MetricsController, ServiceMetrics } from './metrics/metrics';
import { KnownQueryParametersGuard } from './http/known-query-parameters.guard';

export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

@Global()
@Module({})
export class PlatformModule {
  static forService(service: string, config: ServiceConfig, extraProviders: Provider[] = []): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthController, MetricsController, AuditHttpController],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: ApiKeyRegistry, useValue: ApiKeyRegistry.fromConfig(config.API_KEYS, config.API_KEYS_FILE) },
        { provide: PersonTokenVerifier, useValue: PersonTokenVerifier.fromConfig(config.PERSON_TOKEN_PUBLIC_KEYS, config.PERSON_TOKEN_PUBLIC_KEYS_FILE) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: KnownQueryParametersGuard },
        HealthService,
        { provide: ServiceMetrics, useValue: new ServiceMetrics(service) },
        AuditLog,
        // A service that keys patient pseudonyms lets the coordination ask the audit log by plain reference.
        { provide: AUDIT_PSEUDONYM_KEY, useValue: (config as { PATIENT_PSEUDONYM_KEY?: string }).PATIENT_PSEUDONYM_KEY },
        ...extraProviders,
      ],
      exports: [SERVICE_NAME, SERVICE_CONFIG, ApiKeyRegistry, PersonTokenVerifier, HealthService, ServiceMetrics, AuditLog],
    };
  }
}
