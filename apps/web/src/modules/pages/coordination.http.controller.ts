import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { amsterdamDateOf, Public, AlsoKnownQueryParameters } from '@draaiboek/platform';
import { html, SafeHtml } from '../../views/html';
import { euros, Lang, Texts, TEXTS, weekdayNames, when } from '../../views/i18n';
import { Page } from '../../views/layout';
import { bars, regionMap } from '../../views/map';
import { Person } from '../sign-in/person';
import { ServicesClient } from '../sign-in/services-client';
import { act, intOf, listOf, noticeOf } from './forms';
import { need, send, WebPagesFilter } from './render';
import { personWith, WebRequest } from './web-request';

interface DirectoryPractice { agb: string; name: string; hagro: string; latitude: number; longitude: number; catchment: string[]; gpFte: number }
interface BurdenItem { key: string; name: string; refugees: number; gpFte?: number; refugeesPerGpFte?: number | null; practices?: number; reportedThisWeek?: number; completeness?: number; notReportedThisWeek?: string[]; groups?: number }
interface Group { groupId: string; reference: string; municipalityCode: string; location: { name: string }; headcount: number; arrivalDate: string; status: string }
interface ReceptionLocation { locationId: string; name: string; pc4: string; population: number; status: string; postcode: string; municipalityCode: string }
interface CentralLocation {
  centralLocationId: string; name: string; postcode: string; receptionLocationId: string | null; openedBecause: string; latitude: number | null; longitude: number | null;
  cadence: { weekdays: number[]; startTime: string; endTime: string; from: string; weeks: number } | null;
  checklist: { openRequiredItems: number; overridden: boolean; ready: boolean };
  upcoming: { sessions: number; gpSlots: number; filledSlots: number };
  pendingRecommendation: { recommendationId: string; currentWeekdays: number[]; proposedWeekdays: number[] } | null;
}
interface ChecklistItem { item: string; required: boolean; owner: string | null; dueDate: string | null; doneAt: string | null; doneBy: string | null }
interface Notification { notificationId: string; practiceAgb: string; practiceName: string; hagroCode: string; location: { name: string }; headcount: number; advice: string; needsDecision: boolean; decision: { arrangement: string; decidedFor: string } | null; remindedAt: string | null; escalatedAt: string | null; createdAt: string }
interface Shift { shiftId: string; sessionId: string; slot: number; gpAgb: string; status: string; startsAt: string; endsAt: string; location: { name: string } }
interface Batch { batchId: string; payer: string; periodStart: string; periodEnd: string; lineCount: number; totalCents: number; closedAt: string; outcomeAt: string | null }

const BY = ['hagro', 'practice', 'municipality', 'central-location'] as const;
type By = (typeof BY)[number];

export function weekdaysText(lang: Lang, days: number[]): string {
  const names = weekdayNames(lang);
  return days.map((d) => names[d - 1]).join(', ');
}

export function shiftsTable(t: Texts, lang: Lang, shifts: Shift[], actions?: (s: Shift) => SafeHtml): SafeHtml {
  if (shifts.length === 0) return html`<p class="muted">${t.noShifts}</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">${t.when}</th><th scope="col">${t.location}</th><th scope="col">${t.gp}</th><th scope="col">${t.status}</th>${actions ? html`<th scope="col"><span class="sr-only">…</span></th>` : ''}</tr></thead><tbody>
    ${shifts.map((s) => html`<tr><td>${when(lang, s.startsAt)}–${when(lang, s.endsAt).slice(-5)}</td><td>${s.location.name}</td><td>${s.gpAgb}</td><td>${s.status}</td>${actions ? html`<td>${actions(s)}</td>` : ''}</tr>`)}
  </tbody></table></div>`;
}

/** The coordination's pages: the region, burden, notifications, central locations, roster, batches. */
@ApiExcludeController()
@Public()
// After a form post the page is reached with ?done=1 (forms.ts, noticeOf).
@AlsoKnownQueryParameters('done')
@Controller()
@UseFilters(WebPagesFilter)
export class CoordinationHttpController {
  constructor(private readonly services: ServicesClient) {}

  @Get()
  home(@Req() req: WebRequest, @Res() res: Response) {
    const person = personWith(req);
    const first = person.roles.includes('coordination') ? '/overview' : person.roles.includes('practice') ? '/practice' : person.roles.includes('gp') ? '/gp' : '/finance';
    res.redirect(303, first);
  }

  @Get('overview')
  async overview(@Req() req: WebRequest, @Res() res: Response) {
    send(req, res, await this.overviewPage(personWith(req, 'coordination'), req.lang));
  }

  private async overviewPage(person: Person, lang: Lang): Promise<Page> {
    const t = TEXTS[lang];
    const [practices, caseload, locations, centrals, groups, alerts, open] = await Promise.all([
      this.services.call<DirectoryPractice[]>(person, 'practice-notification', 'GET', '/v1/directory/practices').then(need),
      this.services.call<{ items: BurdenItem[] }>(person, 'practice-notification', 'GET', '/v1/caseload/overview?by=practice').then(need),
      this.services.call<{ items: ReceptionLocation[] }>(person, 'intake', 'GET', '/v1/locations').then(need),
      this.services.call<CentralLocation[]>(person, 'clinic-scheduling', 'GET', '/v1/central-locations').then(need),
      this.services.call<{ total: number; items: Group[] }>(person, 'intake', 'GET', '/v1/groups?limit=20').then(need),
      this.services.call<Array<{ alertId: string; message: string; createdAt: string }>>(person, 'practice-notification', 'GET', '/v1/alerts').then(need),
      this.services.call<Notification[]>(person, 'practice-notification', 'GET', '/v1/notifications?open=true').then(need),
    ]);
    const burdenOf = new Map(caseload.items.map((i) => [i.key, i]));
    const reported = caseload.items.filter((i) => (i.reportedThisWeek ?? 0) > 0).length;
    const map = regionMap(
      t,
      practices.map((p) => ({ ...p, refugeesPerGpFte: burdenOf.get(p.agb)?.refugeesPerGpFte ?? null, reported: (burdenOf.get(p.agb)?.refugees ?? 0) > 0 || (burdenOf.get(p.agb)?.reportedThisWeek ?? 0) > 0 })),
      locations.items.filter((l) => l.status !== 'empty'),
      centrals,
    );
    return {
      title: t.overviewTitle,
      live: ['groups', 'notifications', 'caseload', 'locations'],
      body: html`<h1>${t.overviewTitle}</h1>
        <div class="grid two">
          <section class="card" aria-labelledby="map-h"><h2 id="map-h">${t.mapTitle}</h2>${map}</section>
          <div>
            <section class="card" aria-labelledby="arrivals-h"><h2 id="arrivals-h">${t.arrivals}</h2>
              ${groups.items.length === 0 ? html`<p class="muted">${t.noArrivals}</p>` : html`<ul class="plain" id="arrivals">${groups.items.map(
                (g) => html`<li><strong>${g.location.name}</strong> · ${g.headcount} ${t.headcount.toLowerCase()} · ${g.arrivalDate} <span class="muted">(${g.municipalityCode} ${g.reference}, ${g.status})</span></li>`,
              )}</ul>`}
            </section>
            <section class="card" aria-labelledby="open-h"><h2 id="open-h">${t.openNotifications}</h2>
              <p><a href="/notifications"><strong id="open-count">${open.length}</strong> ${t.navNotifications.toLowerCase()}</a></p>
              <h2>${t.completeness}</h2>
              <p><strong>${reported}</strong> / ${caseload.items.length} · <a href="/burden">${t.navBurden}</a></p>
            </section>
            <section class="card" aria-labelledby="alerts-h"><h2 id="alerts-h">${t.alerts}</h2>
              ${alerts.length === 0 ? html`<p class="muted">${t.noAlerts}</p>` : html`<ul class="plain">${alerts.slice(0, 8).map((a) => html`<li>${a.message} <span class="muted">${when(lang, a.createdAt)}</span></li>`)}</ul>`}
            </section>
          </div>
        </div>`,
    };
  }

  @Get('burden')
  async burden(@Req() req: WebRequest, @Res() res: Response, @Query('by') byParam?: string, @Query('hagro') hagro?: string) {
    const person = personWith(req, 'coordination');
    const t = TEXTS[req.lang];
    const by: By = (BY as readonly string[]).includes(byParam ?? '') ? (byParam as By) : 'hagro';
    const overview = need(await this.services.call<{ items: BurdenItem[]; weekStarting?: string }>(person, 'practice-notification', 'GET', `/v1/caseload/overview?by=${by}`));
    let items = overview.items;
    if (by === 'practice' && hagro) {
      const inHagro = need(await this.services.call<DirectoryPractice[]>(person, 'practice-notification', 'GET', `/v1/directory/practices?hagro=${encodeURIComponent(hagro)}`));
      const agbs = new Set(inHagro.map((p) => p.agb));
      items = items.filter((i) => agbs.has(i.key));
    }
    const tabs = BY.map((b) => {
      const label = { hagro: t.byHagro, practice: t.byPractice, municipality: t.byMunicipality, 'central-location': t.byCentral }[b];
      return html`<li><a href="/burden?by=${b}"${b === by && !hagro ? html` aria-current="true"` : ''}>${label}</a></li>`;
    });
    const table =
      by === 'central-location'
        ? html`<table><caption class="sr-only">${t.byCentral}</caption><thead><tr><th scope="col">${t.name}</th><th scope="col" class="num">${t.refugees}</th><th scope="col" class="num">${t.groups}</th></tr></thead><tbody>
            ${items.map((i) => html`<tr><td>${i.name}</td><td class="num">${i.refugees}</td><td class="num">${i.groups ?? 0}</td></tr>`)}</tbody></table>`
        : html`<table><caption class="sr-only">${t.burdenTitle}</caption><thead><tr><th scope="col">${t.name}</th><th scope="col" class="num">${t.refugees}</th><th scope="col" class="num">${t.gpFte}</th><th scope="col" class="num">${t.perFte}</th><th scope="col" class="num">${t.reported}</th></tr></thead><tbody>
            ${items.map(
              (i) => html`<tr><td>${by === 'hagro' ? html`<a href="/burden?by=practice&amp;hagro=${encodeURIComponent(i.key)}">${i.name}</a>` : i.name}</td>
                <td class="num">${i.refugees}</td><td class="num">${i.gpFte ?? ''}</td><td class="num">${i.refugeesPerGpFte ?? '–'}</td>
                <td class="num">${i.reportedThisWeek ?? 0} / ${i.practices ?? 0}</td></tr>`,
            )}</tbody></table>`;
    send(req, res, {
      title: t.burdenTitle,
      live: ['caseload', 'notifications', 'directory'],
      body: html`<h1>${t.burdenTitle}${hagro ? html` · ${hagro}` : ''}</h1>
        <nav aria-label="${t.burdenTitle}"><ul class="legend">${tabs}</ul></nav>
        ${hagro ? html`<p><a href="/burden?by=hagro">← ${t.back}</a></p>` : ''}
        <div class="table-wrap">${table}</div>`,
    });
  }

  @Get('notifications')
  async notifications(@Req() req: WebRequest, @Res() res: Response) {
    const person = personWith(req, 'coordination');
    const t = TEXTS[req.lang];
    const open = need(await this.services.call<Notification[]>(person, 'practice-notification', 'GET', '/v1/notifications?open=true'));
    send(req, res, {
      title: t.notificationsTitle,
      live: ['notifications'],
      body: html`<h1>${t.notificationsTitle}</h1>
        ${open.length === 0 ? html`<p class="muted">${t.none}</p>` : html`<div class="table-wrap"><table><thead><tr><th scope="col">${t.practice}</th><th scope="col">${t.location}</th><th scope="col" class="num">${t.headcount}</th><th scope="col">${t.advice}</th><th scope="col">${t.since}</th></tr></thead><tbody>
          ${open.map((n) => html`<tr><td>${n.practiceName} <span class="muted">(${n.hagroCode})</span></td><td>${n.location.name}</td><td class="num">${n.headcount}</td><td>${n.advice}</td>
            <td>${when(req.lang, n.createdAt)} ${n.escalatedAt ? html`<span class="badge bad">${t.escalated}</span>` : n.remindedAt ? html`<span class="badge warn">${t.reminded}</span>` : ''}</td></tr>`)}
        </tbody></table></div>`}`,
    });
  }

  // Central locations ---------------------------------------------------------------------

  @Get('central-locations')
  async centralLocations(@Req() req: WebRequest, @Res() res: Response) {
    send(req, res, await this.centralLocationsPage(personWith(req, 'coordination'), req.lang), noticeOf(req));
  }

  private async centralLocationsPage(person: Person, lang: Lang): Promise<Page> {
    const t = TEXTS[lang];
    const [centrals, locations] = await Promise.all([
      this.services.call<CentralLocation[]>(person, 'clinic-scheduling', 'GET', '/v1/central-locations').then(need),
      this.services.call<{ items: ReceptionLocation[] }>(person, 'intake', 'GET', '/v1/locations').then(need),
    ]);
    const checklists = await Promise.all(
      centrals.map((c) => this.services.call<{ items: ChecklistItem[]; ready: boolean }>(person, 'clinic-scheduling', 'GET', `/v1/central-locations/${c.centralLocationId}/checklist`).then(need)),
    );
    const withCentral = new Set(centrals.map((c) => c.receptionLocationId));
    const candidates = locations.items.filter((l) => l.status !== 'empty' && !withCentral.has(l.locationId));
    const today = amsterdamDateOf(new Date());
    const names = weekdayNames(lang);
    const cards = centrals.map((c, i) => {
      const id = c.centralLocationId;
      const list = checklists[i];
      return html`<section class="card" aria-labelledby="cl-${id}"><h2 id="cl-${id}">${c.name}</h2>
        <p>${c.postcode} · ${t.openedBecause}: ${c.openedBecause} ·
          ${c.checklist.ready ? html`<span class="badge ok">${t.checklist}: ${t.ready}</span>` : html`<span class="badge warn">${t.checklist}: ${t.notReady}</span>`}</p>
        <p>${t.sessions}: <strong>${c.upcoming.sessions}</strong> · ${t.slots}: <strong>${c.upcoming.filledSlots}</strong> / ${c.upcoming.gpSlots}
          ${c.cadence ? html` · ${t.cadence}: ${weekdaysText(lang, c.cadence.weekdays)} ${c.cadence.startTime}–${c.cadence.endTime}` : ''}</p>
        <details${c.checklist.ready ? '' : html` open`}><summary>${t.checklist}</summary>
          <ul class="plain">${list.items.map(
            (item) => html`<li>${item.item}${item.required ? ' *' : ''} ${item.doneAt ? html`<span class="badge ok">${t.doneBy} ${item.doneBy}</span>` : html`
              <form method="post" action="/central-locations/${id}/checklist/${item.item}/done" class="inline"><button type="submit" class="secondary" aria-label="${t.markDone}: ${item.item}">${t.markDone}</button></form>`}</li>`,
          )}</ul>
          ${c.checklist.ready ? '' : html`<form method="post" action="/central-locations/${id}/override" class="inline">
            <label for="reason-${id}">${t.override}</label><input id="reason-${id}" name="reason" minlength="10" maxlength="1000" required>
            <button type="submit" class="secondary">${t.override}</button></form>`}
        </details>
        ${c.checklist.ready ? html`<details${c.cadence ? '' : html` open`}><summary>${t.setCadence}</summary>
          <form method="post" action="/central-locations/${id}/cadence" class="stack">
            <fieldset><legend>${t.weekdays}</legend>${names.map(
              (n, d) => html`<label style="display:inline-block;margin-right:.6rem;font-weight:400"><input type="checkbox" name="weekdays" value="${d + 1}"${(c.cadence?.weekdays ?? [1, 2, 3, 4, 5]).includes(d + 1) ? html` checked` : ''}> ${n}</label>`,
            )}</fieldset>
            <div><label for="from-${id}">${t.from}</label><input id="from-${id}" name="from" type="date" required value="${c.cadence?.from ?? today}"></div>
            <div><label for="weeks-${id}">${t.weeks}</label><input id="weeks-${id}" name="weeks" type="number" min="1" max="26" required value="${c.cadence?.weeks ?? 4}"></div>
            <div><label for="start-${id}">${t.startTime}</label><input id="start-${id}" name="startTime" type="time" required value="${c.cadence?.startTime ?? '09:00'}"></div>
            <div><label for="end-${id}">${t.endTime}</label><input id="end-${id}" name="endTime" type="time" required value="${c.cadence?.endTime ?? '11:00'}"></div>
            <div><label for="cap-${id}">${t.capacity}</label><input id="cap-${id}" name="capacity" type="number" min="1" max="1000" inputmode="numeric"></div>
            <div><button type="submit">${t.setCadence}</button></div>
          </form></details>` : ''}
        ${c.pendingRecommendation ? html`<div class="card"><h3>${t.recommendation}</h3>
          <p>${weekdaysText(lang, c.pendingRecommendation.currentWeekdays)} → <strong>${weekdaysText(lang, c.pendingRecommendation.proposedWeekdays)}</strong></p>
          <form method="post" action="/cadence-recommendations/${c.pendingRecommendation.recommendationId}/approve" class="inline"><button type="submit">${t.approve}</button></form>
          <form method="post" action="/cadence-recommendations/${c.pendingRecommendation.recommendationId}/reject" class="inline">
            <label for="rej-${id}">${t.overrideReason}</label><input id="rej-${id}" name="reason" minlength="3" required><button type="submit" class="secondary">${t.reject}</button></form></div>` : ''}
      </section>`;
    });
    return {
      title: t.locationsTitle,
      live: ['locations', 'notifications', 'shifts'],
      body: html`<h1>${t.locationsTitle}</h1>
        ${centrals.length === 0 ? html`<p class="muted">${t.noLocations}</p>` : html`<div class="grid">${cards}</div>`}
        ${candidates.length > 0 ? html`<section class="card" aria-labelledby="open-h"><h2 id="open-h">${t.openLocation}</h2>
          <form method="post" action="/central-locations" class="stack">
            <div><label for="reception">${t.openLocationFor}</label><select id="reception" name="receptionLocationId" required>${candidates.map(
              (l) => html`<option value="${l.locationId}">${l.name} (${l.postcode}, ${l.population})</option>`,
            )}</select></div>
            <div><label for="clname">${t.locationName}</label><input id="clname" name="name" required maxlength="200"></div>
            <div><button type="submit">${t.open}</button></div>
          </form></section>` : ''}`,
    };
  }

  @Post('central-locations')
  async openLocation(@Req() req: WebRequest, @Res() res: Response, @Body() form: Record<string, string>) {
    const person = personWith(req, 'coordination');
    const locations = need(await this.services.call<{ items: ReceptionLocation[] }>(person, 'intake', 'GET', '/v1/locations'));
    const reception = locations.items.find((l) => l.locationId === form.receptionLocationId);
    await act(req, res, '/central-locations', () =>
      this.services.call(person, 'clinic-scheduling', 'POST', '/v1/central-locations', {
        name: String(form.name ?? '').trim() || `Spreekuur ${reception?.name ?? ''}`.trim(),
        postcode: reception?.postcode ?? '',
        receptionLocationId: form.receptionLocationId,
      }),
      () => this.centralLocationsPage(person, req.lang),
    );
  }

  @Post('central-locations/:id/checklist/:item/done')
  async checklistDone(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string, @Param('item') item: string) {
    const person = personWith(req, 'coordination');
    await act(req, res, '/central-locations', () => this.services.call(person, 'clinic-scheduling', 'POST', `/v1/central-locations/${id}/checklist/${encodeURIComponent(item)}/done`, {}), () =>
      this.centralLocationsPage(person, req.lang),
    );
  }

  @Post('central-locations/:id/override')
  async override(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string, @Body() form: Record<string, string>) {
    const person = personWith(req, 'coordination');
    await act(req, res, '/central-locations', () => this.services.call(person, 'clinic-scheduling', 'POST', `/v1/central-locations/${id}/override`, { reason: String(form.reason ?? '') }), () =>
      this.centralLocationsPage(person, req.lang),
    );
  }

  @Post('central-locations/:id/cadence')
  async cadence(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string, @Body() form: Record<string, string | string[]>) {
    const person = personWith(req, 'coordination');
    const capacity = intOf(form.capacity);
    const body = {
      weekdays: listOf(form.weekdays).map(Number),
      startTime: String(form.startTime ?? ''),
      endTime: String(form.endTime ?? ''),
      from: String(form.from ?? ''),
      weeks: intOf(form.weeks) ?? 0,
      ...(capacity ? { capacity } : {}),
    };
    await act(req, res, '/central-locations', () => this.services.call(person, 'clinic-scheduling', 'PUT', `/v1/central-locations/${id}/cadence`, body), () =>
      this.centralLocationsPage(person, req.lang),
    );
  }

  @Post('cadence-recommendations/:id/:verdict')
  async recommendation(@Req() req: WebRequest, @Res() res: Response, @Param('id', new ParseUUIDPipe()) id: string, @Param('verdict') verdict: string, @Body() form: Record<string, string>) {
    const person = personWith(req, 'coordination');
    const path = verdict === 'approve' ? `/v1/cadence-recommendations/${id}/approve` : `/v1/cadence-recommendations/${id}/reject`;
    await act(req, res, '/central-locations', () => this.services.call(person, 'clinic-scheduling', 'POST', path, verdict === 'approve' ? {} : { reason: String(form.reason ?? '') }), () =>
      this.centralLocationsPage(person, req.lang),
    );
  }

  // Roster ---------------------------------------------------------------------------------

  @Get('roster')
  async roster(@Req() req: WebRequest, @Res() res: Response) {
    send(req, res, await this.rosterPage(personWith(req, 'coordination'), req.lang), noticeOf(req));
  }

  private async rosterPage(person: Person, lang: Lang): Promise<Page> {
    const t = TEXTS[lang];
    const [shifts, burden] = await Promise.all([
      this.services.call<Shift[]>(person, 'clinic-scheduling', 'GET', '/v1/shifts').then(need),
      this.services.call<{ items: Array<{ gpAgb: string; hours: number; hoursPerFte: number | null; publishedShifts: number; draftShifts: number }> }>(person, 'clinic-scheduling', 'GET', '/v1/roster/burden').then(need),
    ]);
    const today = amsterdamDateOf(new Date());
    const inFourWeeks = new Date(Date.parse(`${today}T12:00:00Z`) + 28 * 86_400_000).toISOString().slice(0, 10);
    const upcoming = shifts.filter((s) => new Date(s.endsAt).getTime() > Date.now() && s.status !== 'released');
    const window = (action: string, label: string) => html`<form method="post" action="/roster/${action}" class="inline">
      <div><label for="${action}-from">${t.from}</label><input id="${action}-from" name="from" type="date" required value="${today}"></div>
      <div><label for="${action}-to">${t.to}</label><input id="${action}-to" name="to" type="date" required value="${inFourWeeks}"></div>
      <button type="submit">${label}</button></form>`;
    const chart = burden.items.filter((g) => g.hours > 0).sort((a, b) => (b.hoursPerFte ?? 0) - (a.hoursPerFte ?? 0));
    return {
      title: t.rosterTitle,
      live: ['shifts', 'locations'],
      body: html`<h1>${t.rosterTitle}</h1>
        <div class="grid two">
          <section class="card"><h2>${t.plan} / ${t.publish}</h2>${window('plan', t.plan)}${window('publish', t.publish)}</section>
          <section class="card" aria-labelledby="burden-h"><h2 id="burden-h">${t.burdenPerGp}</h2>
            ${chart.length === 0 ? html`<p class="muted">${t.noShifts}</p>` : bars(chart.slice(0, 40).map((g) => ({ label: g.gpAgb, value: g.hoursPerFte ?? 0, text: `${g.hoursPerFte ?? 0} h` })))}
          </section>
        </div>
        <h2>${t.shifts} <span class="muted">(${upcoming.length})</span></h2>
        ${shiftsTable(t, lang, upcoming.slice(0, 200))}`,
    };
  }

  @Post('roster/:action')
  async rosterAction(@Req() req: WebRequest, @Res() res: Response, @Param('action') action: string, @Body() form: Record<string, string>) {
    const person = personWith(req, 'coordination');
    const path = action === 'publish' ? '/v1/roster/publish' : '/v1/roster/plan';
    await act(req, res, '/roster', () => this.services.call(person, 'clinic-scheduling', 'POST', path, { from: String(form.from ?? ''), to: String(form.to ?? '') }), () => this.rosterPage(person, req.lang));
  }

  // Declarations ---------------------------------------------------------------------------

  @Get('batches')
  async batches(@Req() req: WebRequest, @Res() res: Response) {
    const person = personWith(req, 'coordination');
    const t = TEXTS[req.lang];
    const [batches, totals] = await Promise.all([
      this.services.call<Batch[]>(person, 'declarations', 'GET', '/v1/batches').then(need),
      this.services.call<Array<{ payer: string; status: string; lines: number; amountCents: number }>>(person, 'declarations', 'GET', '/v1/lines/totals').then(need),
    ]);
    send(req, res, {
      title: t.batchesTitle,
      live: ['batches', 'consultations'],
      body: html`<h1>${t.batchesTitle}</h1>${batchesTable(t, req.lang, batches)}
        <h2>${t.lineTotals}</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">${t.payer}</th><th scope="col">${t.status}</th><th scope="col" class="num">${t.lines}</th><th scope="col" class="num">${t.amount}</th></tr></thead><tbody>
          ${totals.map((r) => html`<tr><td>${r.payer}</td><td>${r.status}</td><td class="num">${r.lines}</td><td class="num">${euros(req.lang, r.amountCents)}</td></tr>`)}
        </tbody></table></div>`,
    });
  }
}

export function batchesTable(t: Texts, lang: Lang, batches: Batch[], actions?: (b: Batch) => SafeHtml): SafeHtml {
  if (batches.length === 0) return html`<p class="muted">${t.noBatches}</p>`;
  return html`<div class="table-wrap"><table id="batches"><thead><tr><th scope="col">${t.payer}</th><th scope="col">${t.period}</th><th scope="col" class="num">${t.lines}</th><th scope="col" class="num">${t.total}</th><th scope="col">${t.outcome}</th>${actions ? html`<th scope="col"><span class="sr-only">…</span></th>` : ''}</tr></thead><tbody>
    ${batches.map(
      (b) => html`<tr><td>${b.payer}</td><td>${b.periodStart} – ${b.periodEnd}</td><td class="num">${b.lineCount}</td><td class="num">${euros(lang, b.totalCents)}</td>
        <td>${b.outcomeAt ? html`<span class="badge ok">${when(lang, b.outcomeAt)}</span>` : html`<span class="badge warn">${t.awaitingOutcome}</span>`}</td>${actions ? html`<td>${actions(b)}</td>` : ''}</tr>`,
    )}</tbody></table></div>`;
}
