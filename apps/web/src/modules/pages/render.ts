import { ArgumentsHost, Catch, ExceptionFilter, ForbiddenException, HttpException, Inject, LoggerService } from '@nestjs/common';
import type { Response } from 'express';
import { html } from '../../views/html';
import { TEXTS } from '../../views/i18n';
import { contextOf, layout, mainContent, Page } from '../../views/layout';
import { ServiceAnswer } from '../sign-in/services-client';
import { SignInRequired, WebRequest } from './web-request';

export const WEB_LOGGER = Symbol('WEB_LOGGER');

export function send(req: WebRequest, res: Response, page: Page, extra: { notice?: string; error?: string } = {}): void {
  const ctx = contextOf(req.lang, req.person, req.path, extra);
  res.status(page.status ?? 200).type('html').setHeader('cache-control', 'no-store');
  res.send(req.headers['x-draaiboek-fragment'] === 'main' ? mainContent(ctx, page).value : layout(ctx, page));
}

/** A service said no, or could not answer: the page shows why. */
export class ServiceFailed extends HttpException {
  constructor(readonly answer: ServiceAnswer) {
    super({ error: 'service_failed', status: answer.status }, answer.status >= 500 ? 502 : answer.status);
  }
}

export function need<T>(answer: ServiceAnswer<T>): T {
  if (!answer.ok) throw new ServiceFailed(answer);
  return answer.body;
}

/** A service's refusal in words: its message and each field's problems. */
export function describeRefusal(answer: ServiceAnswer): string {
  const body = answer.body as { message?: unknown; error?: unknown; fields?: Array<{ field: string; messages: string[] }> } | string;
  if (typeof body === 'string') return `HTTP ${answer.status}`;
  const parts: string[] = [];
  if (typeof body?.message === 'string') parts.push(body.message);
  for (const f of body?.fields ?? []) parts.push(`${f.field ? `${f.field}: ` : ''}${f.messages.join('; ')}`);
  if (parts.length === 0 && typeof body?.error === 'string') parts.push(body.error);
  return parts.join(' · ') || `HTTP ${answer.status}`;
}

/** The web pages' errors are pages: sign in first, no access, or what a service said. */
@Catch()
export class WebPagesFilter implements ExceptionFilter {
  constructor(@Inject(WEB_LOGGER) private readonly logger: LoggerService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<WebRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    const t = TEXTS[req.lang ?? 'nl'];
    if (exception instanceof SignInRequired) {
      if (req.method === 'GET' && req.headers['x-draaiboek-fragment'] !== 'main') {
        res.redirect(303, `/sign-in?back=${encodeURIComponent(req.originalUrl)}`);
      } else {
        res.status(401).type('text/plain').send('Sign in first');
      }
      return;
    }
    if (exception instanceof ForbiddenException) {
      send(req, res, { title: t.forbidden, status: 403, body: html`<h1>${t.forbidden}</h1>` });
      return;
    }
    if (exception instanceof ServiceFailed) {
      send(req, res, { title: t.serviceError, status: exception.getStatus(), body: html`<h1>${t.serviceError}</h1><p>${describeRefusal(exception.answer)}</p>` });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse() as { message?: string; fields?: Array<{ field: string; messages: string[] }> };
      send(req, res, { title: `HTTP ${status}`, status, body: html`<h1>HTTP ${status}</h1><p>${describeRefusal({ ok: false, status, body })}</p>` });
      return;
    }
    this.logger.error(exception instanceof Error ? exception : String(exception), 'WebPages');
    send(req, res, { title: 'HTTP 500', status: 500, body: html`<h1>HTTP 500</h1>` });
  }
}
