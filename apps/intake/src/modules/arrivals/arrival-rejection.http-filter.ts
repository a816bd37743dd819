import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ArrivalRejection, RejectionCode } from './domain/arrival-rejection';

const STATUS: Record<RejectionCode, number> = {
  'forbidden-municipality': 403,
  'unknown-municipality': 400,
  'invalid-announcement': 400,
  'invalid-change': 400,
  'reference-conflict': 409,
  'unknown-group': 404,
  'group-not-active': 409,
};

/** Intake's refusals as HTTP answers: field errors as 400, state conflicts as 409. */
@Catch(ArrivalRejection)
export class ArrivalRejectionHttpFilter implements ExceptionFilter {
  catch(rejection: ArrivalRejection, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const status = STATUS[rejection.code];
    const { field, ...details } = rejection.details as { field?: string };
    if (status === 400) {
      response.status(400).json({ error: 'validation_failed', fields: [{ field: field ?? '', messages: [rejection.message] }] });
      return;
    }
    response.status(status).json({ error: rejection.code.replace(/-/g, '_'), message: rejection.message, ...details });
  }
}
