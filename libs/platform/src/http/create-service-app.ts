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
