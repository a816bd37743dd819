import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { Public, SERVICE_CONFIG, AlsoKnownQueryParameters } from '@draaiboek/platform';
import { WebConfig } from '../../config/web.config';
import { html } from '../../views/html';
import { euros, Lang, TEXTS, weekdayNames, when } from '../../views/i18n';
import { Page } from '../../views/layout';
import { Person } from '../sign-in/person';
import { ServicesClient } from '../sign-in/services-client';
import { CalendarFeeds } from './calendar-feeds';
import { batchesTable, shiftsTable } from './coordination.http.controller';
import { act, intOf, listOf, noticeOf } from './forms';
import { need, send, WebPagesFilter } from './render';
import { personWith, WebRequest } from './web-request';

interface Notification { notificationId: string; practiceName: string; location: { name: string }; headcount: number; arrivalDate: string; advice: string; needsDecision: boolean; decision: { arrangement: string; decidedFor: string } | null; createdAt: string; hagroCode: string }
interface Shift { shiftId: string; sessionId: string; slot: number; gpAgb: string; status: string; startsAt: string; endsAt: string; location: { name: string } }
interface Preferences { maxShiftsPerMonth: number; maxTravelKm: number; availableWeekdays?: number[]; unavailable: Array<{ from: string; to: string }> }
interface Batch { batchId: string; payer: string; periodStart: string; periodEnd: string; lineCount: number; totalCents: number; closedAt: string; outcomeAt: string | null }
interface Line { lineId: string; dateOfCare: string; performanceCode: string; amountCents: number; status: string; rejectionReason: string | null; gpAgb: string }

/** The pages of practice contact persons, GPs and finance. */
@ApiExcludeController()
@Public()
// After a form post the page is reached with ?done=1 (forms.ts, noticeOf).
@AlsoKnownQueryParameters('done')
@Controller()
@UseFilters(WebPagesFilter)
export class PeoplePagesHttpController {
  constructor(
    private readonly services: ServicesClient,
    private readonly feeds: CalendarFeeds,
    @Inject(SERVICE_CONFIG) private readonly config: WebConfig,
  ) {}

  // Practice contact person (or hagro coordinator) ---------------------------------------------

  @Get('practice')
  async practice(@Req() req: WebRequest, @Res() res: Response) {
    send(req, res, await this.practicePage(personWith(req, 'practice'), req.lang), noticeOf(req));
  }

  private async practicePage(person: Person, lang: Lang): Promise<Page> {
    const t = TEXTS[lang];
    type Burden = { items: Array<{ key: string; name: string; refugees: number; refugeesPerGpFte: number | null; reportedThisWeek: number; practices?: number }> };
    const [notifications, caseload, hagros, shifts] = await Promise.all([
      this.services.call<Notification[]>(person, 'practice-notification', 'GET', '/v1/notifications').then(need),
      this.services.call<Burden>(person, 'practice-notification', 'GET', '/v1/caseload/overview?by=practice').then(need),
      // Rule 6: the burden per hagro is visible to every practice of the region.
      this.services.call<Burden>(person, 'practice-notification', 'GET', '/v1/caseload/overview?by=hagro').then(need),
      person.practiceAgb ? this.services.call<Shift[]>(person, 'clinic-scheduling', 'GET', `/v1/shifts?practiceAgb=${person.practiceAgb}`).then(need) : Promise.resolve([] as Shift[]),
    ]);
    const own = caseload.items.find((i) => i.key === person.practiceAgb);
    const open = notifications.filter((n) => n.needsDecision && !n.decision);
    const decided = notifications.filter((n) => n.decision);
    return {
      title: t.practiceTitle,
      live: ['notifications', 'caseload', 'shifts'],
      body: html`<h1>${t.practiceTitle}${own ? html` · ${own.name}` : person.hagroCode ? html` · ${person.hagroCode}` : ''}</h1>
        <section aria-labelledby="n-h"><h2 id="n-h">${t.yourNotifications}</h2>
          ${open.length === 0 ? html`<p class="muted">${t.none}</p>` : html`<ul class="plain" id="open-notifications">${open.map(
            (n) => html`<li class="card"><p><strong>${n.location.name}</strong> · ${n.headcount} ${t.headcount.toLowerCase()} · ${n.arrivalDate}<br>
              <span class="muted">${n.practiceName}</span><br>${t.advice}: ${n.advice}</p>
              <form method="post" action="/practice/notifications/${n.notificationId}/decision" class="stack">
                <fieldset><legend>${t.choose}</legend>
                  <label style="font-weight:400"><input type="radio" name="arrangement" value="own-practice" required> ${t.ownPractice}</label>
                  <label style="font-weight:400"><input type="radio" name="arrangement" value="central-location"> ${t.centralLocation}</label>
                  ${person.hagroCode ? html`<label style="font-weight:400"><input type="checkbox" name="decidedFor" value="hagro"> ${t.forHagro}</label>` : ''}
                </fieldset>
                <div><button type="submit">${t.decide}</button></div>
              </form></li>`,
          )}</ul>`}
          ${decided.length > 0 ? html`<h3>${t.decided}</h3><ul class="plain">${decided.slice(0, 20).map(
            (n) => html`<li>${n.location.name} · ${n.headcount} · <strong>${n.decision?.arrangement === 'central-location' ? t.centralLocation : t.ownPractice}</strong></li>`,
          )}</ul>` : ''}
        </section>
        ${person.practiceAgb ? html`<section class="card" aria-labelledby="c-h"><h2 id="c-h">${t.caseload}</h2>
          <p>${t.refugees}: <strong id="caseload-refugees">${own?.refugees ?? 0}</strong> · ${t.perFte}: ${own?.refugeesPerGpFte ?? '–'} · ${t.reported}: ${own?.reportedThisWeek ? t.yes : t.no}</p>
          <form method="post" action="/practice/caseload" class="inline">
            <div><label for="refugeeCount">${t.reportCaseload}</label><input id="refugeeCount" name="refugeeCount" type="number" min="0" max="100000" required inputmode="numeric"></div>
            <button type="submit">${t.report}</button></form></section>
          <section aria-labelledby="s-h"><h2 id="s-h">${t.practiceShifts}</h2>${shiftsTable(t, lang, shifts.filter((s) => s.status === 'published'))}</section>` : ''}
        <section aria-labelledby="r-h"><h2 id="r-h">${t.burdenTitle} · ${t.byHagro}</h2>
          <div class="table-wrap"><table><thead><tr><th scope="col">${t.name}</th><th scope="col" class="num">${t.refugees}</th><th scope="col" class="num">${t.perFte}</th><th scope="col" class="num">${t.reported}</th></tr></thead><tbody>
          ${hagros.items.map((h) => html`<tr><td>${h.name}</td><td class="num">${h.refugees}</td><td class="num">${h.refugeesPerGpFte ?? '–'}</td><td class="num">${h.reportedThisWeek} / ${h.practices ?? 0}</td></tr>`)}
          </tbody></table></div></section>`,
    };
  }

  @Post('practice/notifications/:id/decision')
  async decide(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string, @Body() form: Record<string, string>) {
    const person = personWith(req, 'practice');
    await act(req, res, '/practice', () =>
      this.services.call(person, 'practice-notification', 'POST', `/v1/notifications/${id}/decision`, {
        arrangement: form.arrangement,
        ...(form.decidedFor === 'hagro' ? { decidedFor: 'hagro' } : {}),
      }),
      () => this.practicePage(person, req.lang),
    );
  }

  @Post('practice/caseload')
  async caseload(@Req() req: WebRequest, @Res() res: Response, @Body() form: Record<string, string>) {
    const person = personWith(req, 'practice');
    await act(req, res, '/practice', () =>
      this.services.call(person, 'practice-notification', 'POST', `/v1/practices/${encodeURIComponent(person.practiceAgb ?? 'none')}/caseload`, { refugeeCount: intOf(form.refugeeCount) ?? -1 }),
      () => this.practicePage(person, req.lang),
    );
  }

  // GP -----------------------------------------------------------------------------------------

  @Get('gp')
  async gp(@Req() req: WebRequest, @Res() res: Response) {
    send(req, res, await this.gpPage(personWith(req, 'gp'), req.lang), noticeOf(req));
  }

  private async gpPage(person: Person, lang: Lang): Promise<Page> {
    const t = TEXTS[lang];
    const agb = person.gpAgb ?? '';
    const [shifts, preferences] = await Promise.all([
      this.services.call<Shift[]>(person, 'clinic-scheduling', 'GET', '/v1/shifts').then(need),
      this.services.call<Preferences>(person, 'clinic-scheduling', 'GET', `/v1/gps/${encodeURIComponent(agb)}/preferences`),
    ]);
    const now = Date.now();
    const standing = shifts.filter((s) => s.status === 'published');
    const coming = standing.filter((s) => new Date(s.startsAt).getTime() > now);
    // Consultations are recorded from the start of a session, and afterwards for a week.
    const held = standing.filter((s) => new Date(s.startsAt).getTime() <= now && new Date(s.endsAt).getTime() > now - 7 * 86_400_000);
    const prefs = preferences.ok ? preferences.body : undefined;
    const names = weekdayNames(lang);
    const feed = `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/calendar/${agb}/${this.feeds.tokenFor(agb)}.ics`;
    return {
      title: t.gpTitle,
      live: ['shifts', 'locations'],
      body: html`<h1>${t.gpTitle}</h1>
        <section aria-labelledby="coming-h"><h2 id="coming-h">${t.shifts}</h2>
          ${shiftsTable(t, lang, coming, (s) => html`
            <form method="post" action="/gp/shifts/${s.shiftId}/release" class="inline"><button type="submit" class="secondary" aria-label="${t.release}: ${when(lang, s.startsAt)}">${t.release}</button></form>
            <form method="post" action="/gp/shifts/${s.shiftId}/swap" class="inline"><label class="sr-only" for="swap-${s.shiftId}">${t.swapWith}</label>
              <input id="swap-${s.shiftId}" name="withGpAgb" pattern="\\d{8}" inputmode="numeric" placeholder="${t.swapWith}" size="12" required><button type="submit" class="secondary">${t.swap}</button></form>`)}
        </section>
        ${held.map((s) => html`<section class="card" aria-labelledby="rec-${s.sessionId}"><h2 id="rec-${s.sessionId}">${t.recordConsultation}: ${s.location.name}, ${when(lang, s.startsAt)}</h2>
          <form method="post" action="/gp/sessions/${s.sessionId}/consultations" class="stack">
            <div><label for="ref-${s.sessionId}">${t.patientReference}</label><input id="ref-${s.sessionId}" name="patientReference" required maxlength="100" autocomplete="off"></div>
            <div><label for="code-${s.sessionId}">${t.performanceCode}</label><input id="code-${s.sessionId}" name="performanceCode" required pattern="\\d{5}" inputmode="numeric" value="12000"></div>
            <div><label for="dur-${s.sessionId}">${t.durationClass}</label><select id="dur-${s.sessionId}" name="durationClass">${['short', 'regular', 'long', 'extended'].map((d) => html`<option value="${d}"${d === 'regular' ? html` selected` : ''}>${d}</option>`)}</select></div>
            <div><label for="bsn-${s.sessionId}">${t.bsn} <span class="hint">${t.bsnHint}</span></label><input id="bsn-${s.sessionId}" name="bsn" pattern="\\d{9}" inputmode="numeric" autocomplete="off"></div>
            <label style="font-weight:400"><input type="checkbox" name="thirdCountryNational" value="true"> ${t.thirdCountry}</label>
            <label style="font-weight:400"><input type="checkbox" name="walkIn" value="true"> ${t.walkIn}</label>
            <div><button type="submit">${t.record}</button></div>
          </form></section>`)}
        <section class="card" aria-labelledby="av-h"><h2 id="av-h">${t.availability}</h2>
          <form method="post" action="/gp/preferences" class="stack">
            <div><label for="maxShifts">${t.maxShifts}</label><input id="maxShifts" name="maxShiftsPerMonth" type="number" min="0" max="31" required value="${prefs?.maxShiftsPerMonth ?? 4}"></div>
            <div><label for="maxTravel">${t.maxTravel}</label><input id="maxTravel" name="maxTravelKm" type="number" min="1" max="300" required value="${prefs?.maxTravelKm ?? 40}"></div>
            <fieldset><legend>${t.weekdays}</legend>${names.map(
              (n, d) => html`<label style="display:inline-block;margin-right:.6rem;font-weight:400"><input type="checkbox" name="availableWeekdays" value="${d + 1}"${(prefs?.availableWeekdays ?? [1, 2, 3, 4, 5, 6, 7]).includes(d + 1) ? html` checked` : ''}> ${n}</label>`,
            )}</fieldset>
            <div><label for="unFrom">${t.unavailableFrom}</label><input id="unFrom" name="unavailableFrom" type="date" value="${prefs?.unavailable[0]?.from ?? ''}"></div>
            <div><label for="unTo">${t.unavailableTo}</label><input id="unTo" name="unavailableTo" type="date" value="${prefs?.unavailable[0]?.to ?? ''}"></div>
            <div><button type="submit">${t.save}</button></div>
          </form></section>
        <section class="card" aria-labelledby="ics-h"><h2 id="ics-h">${t.calendarFeed}</h2>
          <p class="break"><a href="${feed}" id="calendar-feed">${feed}</a></p><p class="muted">${t.calendarHint}</p></section>`,
    };
  }

  @Post('gp/shifts/:id/:verb')
  async shift(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string, @Param('verb') verb: string, @Body() form: Record<string, string>) {
    const person = personWith(req, 'gp');
    const call = verb === 'swap'
      ? () => this.services.call(person, 'clinic-scheduling', 'POST', `/v1/shifts/${id}/swap`, { withGpAgb: String(form.withGpAgb ?? '').trim() })
      : () => this.services.call(person, 'clinic-scheduling', 'POST', `/v1/shifts/${id}/release`, {});
    await act(req, res, '/gp', call, () => this.gpPage(person, req.lang));
  }

  @Post('gp/sessions/:id/consultations')
  async consultation(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string, @Body() form: Record<string, string>) {
    const person = personWith(req, 'gp');
    const bsn = String(form.bsn ?? '').trim();
    await act(req, res, '/gp', () =>
      this.services.call(person, 'clinic-scheduling', 'POST', `/v1/sessions/${id}/consultations`, {
        performanceCode: String(form.performanceCode ?? '').trim(),
        durationClass: form.durationClass,
        patientReference: String(form.patientReference ?? ''),
        bsnKnown: bsn !== '',
        ...(bsn ? { bsn } : {}),
        thirdCountryNational: form.thirdCountryNational === 'true',
        walkIn: form.walkIn === 'true',
      }),
      () => this.gpPage(person, req.lang),
    );
  }

  @Post('gp/preferences')
  async preferences(@Req() req: WebRequest, @Res() res: Response, @Body() form: Record<string, string | string[]>) {
    const person = personWith(req, 'gp');
    const from = String(form.unavailableFrom ?? '');
    const to = String(form.unavailableTo ?? '') || from;
    await act(req, res, '/gp', () =>
      this.services.call(person, 'clinic-scheduling', 'PUT', `/v1/gps/${encodeURIComponent(person.gpAgb ?? '')}/preferences`, {
        maxShiftsPerMonth: intOf(form.maxShiftsPerMonth) ?? -1,
        maxTravelKm: intOf(form.maxTravelKm) ?? -1,
        availableWeekdays: listOf(form.availableWeekdays).map(Number),
        unavailable: from ? [{ from, to }] : [],
      }),
      () => this.gpPage(person, req.lang),
    );
  }

  // Finance ------------------------------------------------------------------------------------

  @Get('finance')
  async finance(@Req() req: WebRequest, @Res() res: Response) {
    send(req, res, await this.financePage(personWith(req, 'finance'), req.lang), noticeOf(req));
  }

  private async financePage(person: Person, lang: Lang): Promise<Page> {
    const t = TEXTS[lang];
    const batches = need(await this.services.call<Batch[]>(person, 'declarations', 'GET', '/v1/batches'));
    return {
      title: t.financeTitle,
      live: ['batches', 'consultations'],
      body: html`<h1>${t.financeTitle}</h1>
        <form method="post" action="/finance/close" class="inline"><button type="submit">${t.closeBatches}</button></form>
        ${batchesTable(t, lang, [...batches].reverse(), (b) => html`
          <a href="/finance/batches/${b.batchId}">${t.reviewLines}</a> ·
          <a href="/finance/batches/${b.batchId}/export.csv" download>${t.export} CSV</a> ·
          <a href="/finance/batches/${b.batchId}/export.json" download>JSON</a>`)}`,
    };
  }

  @Post('finance/close')
  async close(@Req() req: WebRequest, @Res() res: Response) {
    const person = personWith(req, 'finance');
    await act(req, res, '/finance', () => this.services.call(person, 'declarations', 'POST', '/v1/batches/close', {}), () => this.financePage(person, req.lang));
  }

  @Get('finance/batches/:id')
  async batch(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string) {
    send(req, res, await this.batchPage(personWith(req, 'finance'), req.lang, id), noticeOf(req));
  }

  private async batchPage(person: Person, lang: Lang, id: string): Promise<Page> {
    const t = TEXTS[lang];
    const [batches, lines] = await Promise.all([
      this.services.call<Batch[]>(person, 'declarations', 'GET', '/v1/batches').then(need),
      this.services.call<Line[]>(person, 'declarations', 'GET', `/v1/batches/${id}/lines`).then(need),
    ]);
    const batch = batches.find((b) => b.batchId === id);
    const decided = !!batch?.outcomeAt;
    return {
      title: `${t.batch} ${batch?.payer ?? ''} ${batch?.periodStart ?? ''}`,
      live: ['batches'],
      body: html`<h1>${t.batch} ${batch?.payer} · ${batch?.periodStart} – ${batch?.periodEnd}</h1>
        <p><a href="/finance">← ${t.back}</a> · ${t.total}: <strong>${euros(lang, batch?.totalCents ?? 0)}</strong> · ${decided ? html`<span class="badge ok">${t.outcome}: ${when(lang, batch?.outcomeAt as string)}</span>` : html`<span class="badge warn">${t.awaitingOutcome}</span>`}</p>
        <form method="post" action="/finance/batches/${id}/outcome">
          <div class="table-wrap"><table id="lines"><thead><tr><th scope="col">${t.date}</th><th scope="col">${t.code}</th><th scope="col" class="num">${t.amount}</th><th scope="col">${t.gp}</th><th scope="col">${t.status}</th>${decided ? '' : html`<th scope="col">${t.outcome}</th>`}</tr></thead><tbody>
          ${lines.map((l) => html`<tr><td>${l.dateOfCare}</td><td>${l.performanceCode}</td><td class="num">${euros(lang, l.amountCents)}</td><td>${l.gpAgb}</td><td>${l.status}${l.rejectionReason ? html` (${l.rejectionReason})` : ''}</td>
            ${decided ? '' : html`<td><fieldset><legend class="sr-only">${t.outcome} ${l.dateOfCare} ${l.performanceCode}</legend>
              <label style="font-weight:400"><input type="radio" name="decision_${l.lineId}" value="accept" checked> ${t.accept}</label>
              <label style="font-weight:400"><input type="radio" name="decision_${l.lineId}" value="reject"> ${t.reject}</label>
              <label class="sr-only" for="reason_${l.lineId}">${t.rejectReason}</label><input id="reason_${l.lineId}" name="reason_${l.lineId}" placeholder="${t.rejectReason}" maxlength="500"></fieldset></td>`}</tr>`)}
          </tbody></table></div>
          ${decided ? '' : html`<p><button type="submit">${t.postOutcome}</button></p>`}
        </form>`,
    };
  }

  @Post('finance/batches/:id/outcome')
  async outcome(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string, @Body() form: Record<string, string>) {
    const person = personWith(req, 'finance');
    const accepted: string[] = [];
    const rejected: Array<{ lineId: string; reason: string }> = [];
    for (const [key, value] of Object.entries(form)) {
      const lineId = key.startsWith('decision_') ? key.slice('decision_'.length) : undefined;
      if (!lineId) continue;
      if (value === 'reject') rejected.push({ lineId, reason: String(form[`reason_${lineId}`] ?? '').trim() });
      else accepted.push(lineId);
    }
    await act(req, res, `/finance/batches/${id}`, () => this.services.call(person, 'declarations', 'POST', `/v1/batches/${id}/outcome`, { accepted, rejected }), () =>
      this.batchPage(person, req.lang, id),
    );
  }

  @Get('finance/batches/:id/export.:format')
  async export(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string, @Param('format') format: string) {
    const person = personWith(req, 'finance');
    const chosen = format === 'json' ? 'json' : 'csv';
    const upstream = await this.services.fetch(person, 'declarations', 'GET', `/v1/batches/${id}/export?format=${chosen}`);
    // Streamed through as it comes: the web app holds no batch (and no BSN) in memory or on disk.
    res.status(upstream.status);
    for (const header of ['content-type', 'content-disposition', 'x-batch-checksum']) {
      const value = upstream.headers.get(header);
      if (value) res.setHeader(header, value);
    }
    res.setHeader('cache-control', 'no-store');
    if (!upstream.body) return res.end();
    Readable.fromWeb(upstream.body as never).pipe(res);
  }
}
