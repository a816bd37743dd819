import { ArgumentsHost, Catch, ExceptionFilter, HttpException, LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Observable, throwError } from 'rxjs';
import { isDatabaseUnavailable } from '../database/unavailable';
import { currentCorrelation } from '../logging/correlation';

/** Seconds a client is asked to wait when the database is away (a restart takes a few). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Every HTTP error is JSON. Known errors keep their status and body. The database being away
 * (restarting, unreachable) is not the request's fault: a 503 with Retry-After, so callers repeat
 * the request (the commands are idempotent by their references) instead of giving up on it, and
 * it is logged as a warning, not an error. Anything else unexpected
 * is logged with the correlation id and answered with a 500 that reveals nothing.
 * For event handlers the original error passes through untouched: Nest's default would turn
 * it into `{status:'error'}`, and the consumer wrapper needs it to choose retry or dead letter.
 */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  constructor(private readonly logger: LoggerService) {}

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception);
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      response.status(exception.getStatus()).json(typeof body === 'string' ? { error: body } : body);
      return;
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ msg: 'database unavailable; answered 503', error: exception instanceof Error ? exception.message : String(exception) }, 'HttpErrorsFilter');
      response
        .status(503)
        .setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS))
        .json({ error: 'service_unavailable', message: 'The database cannot be reached right now. Repeat the request shortly.', correlationId: currentCorrelation()?.correlationId });
      return;
    }
    this.logger.error(exception instanceof Error ? exception : String(exception), 'HttpErrorsFilter');
    response.status(500).json({ error: 'internal_error', correlationId: currentCorrelation()?.correlationId });
  }
}

/** body-parser's errors happen before Nest routes the request; answer them as JSON 4xx. */
export function bodyParserErrors(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  const err = error as { type?: string; status?: number; limit?: number };
  if (err?.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'malformed_json', message: 'The request body is not valid JSON' });
  } else if (err?.type === 'entity.too.large') {
    res.status(413).json({ error: 'payload_too_large', message: `The request body exceeds ${err.limit} bytes` });
  } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    res.status(err.status).json({ error: 'bad_request', message: 'The request body could not be read' });
  } else {
    next(error);
  }
}
