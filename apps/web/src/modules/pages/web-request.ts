import { ForbiddenException, HttpException, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Role } from '@draaiboek/platform';
import { Lang, languageOf } from '../../views/i18n';
import { Person } from '../sign-in/person';
import { SessionStore } from '../sign-in/session-store';

export const SESSION_COOKIE = 'draaiboek_session';
export const LANG_COOKIE = 'draaiboek_lang';

export interface WebRequest extends Request {
  person?: Person;
  sessionId?: string;
  lang: Lang;
  cookies: Record<string, string>;
}

/** Not signed in (or the session expired): pages send the person to the sign-in page. */
export class SignInRequired extends HttpException {
  constructor() {
    super({ error: 'unauthenticated' }, 401);
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) {
      try {
        out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        // a malformed cookie is ignored
      }
    }
  }
  return out;
}

/** The signed-in person with one of the roles, or an exception the pages' filter turns into a redirect or a 403 page. */
export function personWith(req: WebRequest, ...roles: Role[]): Person {
  if (!req.person) throw new SignInRequired();
  if (roles.length > 0 && !roles.some((r) => req.person?.roles.includes(r))) throw new ForbiddenException({ error: 'forbidden' });
  return req.person;
}

/**
 * Per request: language, the session's person, and a same-origin check on every form post (the
 * session cookie is SameSite=Lax as well) so another site cannot act for a signed-in person.
 */
@Injectable()
export class WebRequestMiddleware implements NestMiddleware {
  constructor(private readonly sessions: SessionStore) {}

  async use(req: WebRequest, res: Response, next: NextFunction): Promise<void> {
    try {
      req.cookies = parseCookies(req.headers.cookie);
      req.lang = languageOf(req.cookies[LANG_COOKIE], req.headers['accept-language']);
      if (req.method === 'POST') {
        const origin = req.headers.origin;
        if (origin && origin !== 'null' && new URL(origin).host !== req.headers.host) {
          res.status(403).type('text/plain').send('Cross-site form posts are refused');
          return;
        }
      }
      const sessionId = req.cookies[SESSION_COOKIE];
      if (sessionId && /^[A-Za-z0-9_-]{20,100}$/.test(sessionId)) {
        req.person = await this.sessions.personOf(sessionId);
        if (req.person) req.sessionId = sessionId;
      }
      next();
    } catch (error) {
      next(error);
    }
  }
}
