import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { enqueueMail, MailSender, Public, SERVICE_CONFIG } from '@draaiboek/platform';
import { WebConfig } from '../../config/web.config';
import { html } from '../../views/html';
import { fill, TEXTS } from '../../views/i18n';
import { send, WebPagesFilter } from '../pages/render';
import { SESSION_COOKIE, WebRequest } from '../pages/web-request';
import { PeopleDirectory } from './people-directory';
import { SessionStore } from './session-store';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;

/** Where to go after sign-in: only a path on this site. */
function safeBack(back: unknown): string {
  return typeof back === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(back) && !back.startsWith('/sign-in') ? back : '/';
}

/**
 * Sign-in by a one-time link sent by e-mail: single use, short-lived, confirmed by a button so
 * that a mail scanner opening the link does not spend it. Then a session cookie (HttpOnly,
 * SameSite=Lax, Secure when the site is https) that expires.
 */
@ApiExcludeController()
@Public()
@Controller()
@UseFilters(WebPagesFilter)
export class SignInHttpController {
  constructor(
    private readonly people: PeopleDirectory,
    private readonly sessions: SessionStore,
    private readonly db: DataSource,
    private readonly mail: MailSender,
    @Inject(SERVICE_CONFIG) private readonly config: WebConfig,
  ) {}

  @Get('sign-in')
  form(@Req() req: WebRequest, @Res() res: Response, @Query('back') back?: string, @Query('sent') sent?: string) {
    const t = TEXTS[req.lang];
    send(req, res, {
      title: t.signInTitle,
      body: html`<h1>${t.signInTitle}</h1>
        ${sent ? html`<p class="notice" role="status">${t.linkSent}</p>` : ''}
        <p>${t.signInIntro}</p>
        <form method="post" action="/sign-in" class="stack">
          <input type="hidden" name="back" value="${safeBack(back)}">
          <div><label for="email">${t.email}</label>
          <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" inputmode="email"></div>
          <div><button type="submit">${t.sendLink}</button></div>
        </form>`,
    });
  }

  @Post('sign-in')
  async request(@Req() req: WebRequest, @Res() res: Response, @Body() form: Record<string, string>) {
    const t = TEXTS[req.lang];
    const email = String(form.email ?? '').trim();
    if (EMAIL.test(email)) {
      const person = await this.people.find(email);
      const token = person ? await this.sessions.createLink(email, person) : undefined;
      if (token) {
        const back = safeBack(form.back);
        const link = `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/sign-in/${token}${back !== '/' ? `?back=${encodeURIComponent(back)}` : ''}`;
        await enqueueMail(this.db.manager, {
          to: email,
          subject: t.mailSubject,
          text: fill(t.mailBody, { link, minutes: Math.round(this.config.SIGN_IN_LINK_SECONDS / 60) }),
          purpose: 'sign-in-link',
        });
        this.mail.nudge();
      }
    }
    // The same answer whether or not the address is known: the page tells nobody who has an account.
    res.redirect(303, '/sign-in?sent=1');
  }

  @Get('sign-in/:token')
  confirm(@Req() req: WebRequest, @Res() res: Response, @Param('token') token: string, @Query('back') back?: string) {
    const t = TEXTS[req.lang];
    if (!TOKEN.test(token)) return send(req, res, { title: t.signInTitle, status: 404, body: html`<h1>${t.signInTitle}</h1><p class="error">${t.linkInvalid}</p>` });
    send(req, res, {
      title: t.confirmTitle,
      body: html`<h1>${t.confirmTitle}</h1><p>${t.confirmIntro}</p>
        <form method="post" action="/sign-in/${token}" class="stack">
          <input type="hidden" name="back" value="${safeBack(back)}">
          <div><button type="submit">${t.confirm}</button></div>
        </form>`,
    });
  }

  @Post('sign-in/:token')
  async consume(@Req() req: WebRequest, @Res() res: Response, @Param('token') token: string, @Body() form: Record<string, string>) {
    const t = TEXTS[req.lang];
    const person = TOKEN.test(token) ? await this.sessions.consumeLink(token) : undefined;
    if (!person) {
      return send(req, res, {
        title: t.signInTitle,
        status: 410,
        body: html`<h1>${t.signInTitle}</h1><p class="error">${t.linkInvalid}</p><p><a href="/sign-in">${t.sendLink}</a></p>`,
      });
    }
    if (req.sessionId) await this.sessions.end(req.sessionId);
    const sessionId = await this.sessions.createSession(person);
    res.cookie(SESSION_COOKIE, sessionId, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.PUBLIC_BASE_URL.startsWith('https:'),
      path: '/',
      maxAge: this.config.SESSION_SECONDS * 1000,
    });
    res.redirect(303, safeBack(form.back));
  }

  @Post('sign-out')
  async signOut(@Req() req: WebRequest, @Res() res: Response) {
    if (req.sessionId) await this.sessions.end(req.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/sign-in');
  }
}
