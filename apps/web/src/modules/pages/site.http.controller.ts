import { Controller, Get, NotFoundException, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '@draaiboek/platform';
import { STYLES } from '../../views/styles';
import { LiveHub } from '../live/live-hub';
import { ServicesClient } from '../sign-in/services-client';
import { CalendarFeeds } from './calendar-feeds';
import { WebPagesFilter } from './render';
import { LANG_COOKIE, personWith, WebRequest } from './web-request';

/**
 * The browser script, compiled by the repo's tsc into dist with the rest. Run from the sources
 * (tests, `ts-node`), it is transpiled once from its .ts with the same compiler.
 */
function browserScript(): string {
  const compiled = join(__dirname, '../../client/live.client.js');
  if (existsSync(compiled)) return readFileSync(compiled, 'utf8');
  const ts = require('typescript') as typeof import('typescript');
  const source = readFileSync(join(__dirname, '../../client/live.client.ts'), 'utf8');
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.None } }).outputText;
}

@ApiExcludeController()
@Public()
@Controller()
@UseFilters(WebPagesFilter)
export class SiteHttpController {
  private readonly script = browserScript();

  constructor(
    private readonly hub: LiveHub,
    private readonly feeds: CalendarFeeds,
    private readonly services: ServicesClient,
  ) {}

  @Get('assets/app.css')
  css(@Res() res: Response) {
    res.type('text/css').setHeader('cache-control', 'public, max-age=300');
    res.send(STYLES);
  }

  @Get('assets/live.js')
  js(@Res() res: Response) {
    res.type('application/javascript').setHeader('cache-control', 'public, max-age=300');
    res.send(this.script);
  }

  /** Server-Sent Events: what changed, for the kinds the person's pages show. */
  @Get('events')
  events(@Req() req: WebRequest, @Res() res: Response) {
    const person = personWith(req);
    const detach = this.hub.attach(person.roles, res);
    req.on('close', detach);
  }

  @Get('language/:lang')
  language(@Res() res: Response, @Param('lang') lang: string, @Query('back') back?: string) {
    if (lang !== 'nl' && lang !== 'en') throw new NotFoundException();
    res.cookie(LANG_COOKIE, lang, { sameSite: 'lax', path: '/', maxAge: 365 * 86_400_000 });
    res.redirect(303, typeof back === 'string' && /^\/(?!\/)/.test(back) ? back : '/');
  }

  @Get('calendar/:gpAgb/:token.ics')
  async calendar(@Res() res: Response, @Param('gpAgb') gpAgb: string, @Param('token') token: string) {
    if (!/^\d{8}$/.test(gpAgb) || !this.feeds.verify(gpAgb, token)) throw new NotFoundException();
    const upstream = await this.services.fetch({ id: `gp-${gpAgb}`, roles: ['gp'], gpAgb }, 'clinic-scheduling', 'GET', `/v1/gps/${gpAgb}/shifts.ics`);
    res.status(upstream.status).type(upstream.headers.get('content-type') ?? 'text/calendar').setHeader('cache-control', 'no-store');
    res.send(await upstream.text());
  }
}
