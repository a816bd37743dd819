import type { Response } from 'express';
import { Page } from '../../views/layout';
import { TEXTS } from '../../views/i18n';
import { ServiceAnswer } from '../sign-in/services-client';
import { describeRefusal, send } from './render';
import { WebRequest } from './web-request';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * A form post: on success back to the page (Post/Redirect/Get, so a reload repeats nothing);
 * on a refusal the page again, with the service's reasons and the status it gave.
 */
export async function act(req: WebRequest, res: Response, back: string, call: () => Promise<ServiceAnswer>, rebuild: () => Promise<Page>): Promise<void> {
  const answer = await call();
  if (answer.ok) {
    res.redirect(303, `${back}${back.includes('?') ? '&' : '?'}done=1`);
    return;
  }
  const page = await rebuild();
  const status = answer.status >= 500 ? 502 : answer.status;
  send(req, res, { ...page, status, url: back }, { error: `${TEXTS[req.lang].refused}: ${describeRefusal(answer)}` });
}

/** The notice of a page reached after a successful post. */
export function noticeOf(req: WebRequest): { notice?: string } {
  return req.query.done ? { notice: TEXTS[req.lang].done } : {};
}

export function intOf(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

export function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
}
