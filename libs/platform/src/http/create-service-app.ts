import {
  BadRequestException,
  DynamicModule,
  INestApplication,
  LoggerService,
  ValidationPipe,
  Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, text } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import type { NextFunction, Request, Response } from 'express';
import { flattenValidationErrors } from '@draaiboek/contracts';
import { newCorrelationId, runWithCorrelation } from '../logging/correlation';
import { bodyParserErrors, HttpErrorsFilter } from './errors.filter';
import { ServiceMetrics } from '../metrics/metrics';
import { httpTracingMiddleware } from '../tracing/tracing';

export interface ServiceAppOptions {
  service: string;
  description: string;
  logger: LoggerService;
  /** Largest accepted JSON body. */
  bodyLimit?: string;
  /** Per client address and minute, in this instance: requests without a credential, and failed authentications. */
  rateLimits?: { publicPerMinute: number; authFailuresPerMinute: number };
  /** Express's `trust proxy`: which proxies may tell the client address (X-Forwarded-For). */
  trustProxy?: string;
}

export const DEFAULT_RATE_LIMITS = { publicPerMinute: 300, authFailuresPerMinute: 60 } as const;

function trustProxyValue(setting: string): string | number | boolean {
  if (setting === 'true' || setting === 'false') return setting === 'true';
  return /^\d+$/.test(setting) ? Number(setting) : setting;
}

function tooMany(res: Response, perMinute: number, what: string): void {
  res.status(429).json({ error: 'rate_limited', message: `More than ${perMinute} ${what} a minute from this address; try again later` });
}

function publicLimiter(perMinute: number) {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // The check warns on stdout about proxy headers; `HTTP_TRUST_PROXY` decides instead.
    validate: false,
    handler: (_req: Request, res: Response) => tooMany(res, perMinute, 'requests without a credential'),
  });
}

/**
 * Counts answers of 401 per address; past the limit the address is refused until its minute
 * is over. Only failures count, so a busy client with a good key is never slowed down.
 */
function authFailureLimiter(perMinute: number) {
  const failures = new Map<string, { count: number; resetAt: number }>();
  return (req: Request, res: Response, next: NextFunction) => {
    const address = req.ip ?? 'unknown';
    const now = Date.now();
    const seen = failures.get(address);
    if (seen && seen.resetAt <= now) failures.delete(address);
    if ((failures.get(address)?.count ?? 0) >= perMinute) {
      res.setHeader('retry-after', String(Math.ceil(((failures.get(address)?.resetAt ?? now) - now) / 1000)));
      return tooMany(res, perMinute, 'failed authentications');
    }
    res.on('finish', () => {
      if (res.statusCode !== 401) return;
      const current = failures.get(address);
      if (current && current.resetAt > Date.now()) current.count += 1;
      else failures.set(address, { count: 1, resetAt: Date.now() + 60_000 });
    });
    next();
  };
}

const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_CORRELATION = /^[A-Za-z0-9._-]{1,100}$/;

/** Shared start-up wiring ("service defaults") for every Draaiboek HTTP service. */
export async function createServiceApp(
  module: Type<unknown> | DynamicModule,
  options: ServiceAppOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: options.logger,
    abortOnError: false,
  });
  app.use(httpTracingMiddleware(options.service));
  const metrics = optional(() => app.get(ServiceMetrics, { strict: false }));
  if (metrics) app.use(metrics.httpMiddleware());
  app.set('trust proxy', trustProxyValue(options.trustProxy ?? 'false'));
  // Security headers (HSTS, nosniff, frame denial, a strict CSP that the docs page still works under:
  // its scripts are files, its styles inline). No upgrade-insecure-requests: the docs of a service on
  // plain http://127.0.0.1 would then ask for their scripts over https.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    // API answers may carry personal data: no cache keeps them.
    if (!req.path.startsWith('/docs')) res.setHeader('cache-control', 'no-store');
    next();
  });
  const limits = options.rateLimits ?? DEFAULT_RATE_LIMITS;
  // Public endpoints (no credential) are limited per address; so are failed authentications.
  const withoutCredential = publicLimiter(limits.publicPerMinute);
  app.use((req: Request, res: Response, next: NextFunction) => (req.headers.authorization ? next() : withoutCredential(req, res, next)));
  app.use(authFailureLimiter(limits.authFailuresPerMinute));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header(CORRELATION_HEADER);
    const correlationId = incoming && SAFE_CORRELATION.test(incoming) ? incoming : newCorrelationId();
    res.setHeader(CORRELATION_HEADER, correlationId);
    runWithCorrelation({ correlationId, causationId: correlationId }, next);
  });
  app.use(json({ limit: options.bodyLimit ?? '64kb', strict: true }));
  // CSV uploads (the practice directory) are larger than any JSON command.
  app.use(text({ type: 'text/csv', limit: '5mb' }));
  app.use(bodyParserErrors);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) =>
        new BadRequestException({ error: 'validation_failed', fields: flattenValidationErrors(errors) }),
    }),
  );
  app.useGlobalFilters(new HttpErrorsFilter(options.logger));
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Draaiboek ${options.service}`)
      .setDescription(options.description)
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}

/** A provider the app may not have (an app built without the platform module). */
function optional<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}
