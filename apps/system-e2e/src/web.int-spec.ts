import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Browser, chromium, Page } from 'playwright-core';
import { amsterdamDateOf, amsterdamToUtc } from '@draaiboek/platform';
import { eventually, TEST_KEYS } from '@draaiboek/messaging/testing';
import { PEOPLE, startWebSystem, WebSystem } from './web-system';

jest.setTimeout(240_000);

/** A browser-like client without a browser: keeps the session cookie, follows nothing by itself. */
function client(base: string) {
  let cookie = '';
  const go = async (method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(path.startsWith('http') ? path : base + path, {
      method,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = response.headers.get('set-cookie');
    if (set && set.startsWith('draaiboek_session=')) cookie = set.split(';')[0];
    return { status: response.status, location: response.headers.get('location'), setCookie: set, text: await response.text() };
  };
  return { get: (path: string, headers?: Record<string, string>) => go('GET', path, undefined, headers), post: (path: string, form: Record<string, string> = {}, headers?: Record<string, string>) => go('POST', path, form, headers) };
}

let web: WebSystem;
let db: Client;

beforeAll(async () => {
  web = await startWebSystem();
  db = new Client({ connectionString: web.system.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await web?.stop();
});

describe('the web app: sign-in by one-time e-mail link, sessions, and each role seeing only its own', () => {
  const signIn = async (email: string) => {
    const browser = client(web.webUrl);
    const before = web.system.mail.messages.length;
    const asked = await browser.post('/sign-in', { email });
    expect(asked).toMatchObject({ status: 303, location: '/sign-in?sent=1' });
    const link = await web.signInLink(email, before);
    return { browser, link };
  };

  it('sends a link only to a known address, and answers the same either way', async () => {
    const before = web.system.mail.messages.length;
    const unknown = await client(web.webUrl).post('/sign-in', { email: 'nobody@example.org' });
    expect(unknown).toMatchObject({ status: 303, location: '/sign-in?sent=1' });
    const { link } = await signIn(PEOPLE.coordination);
    expect(link.startsWith(`${web.webUrl}/sign-in/`)).toBe(true);
    expect(web.system.mail.messages.slice(before).filter((m) => m.to.includes('nobody@example.org'))).toEqual([]);
    // A mailbox is not flooded: five links an hour per address, then the same answer and no mail.
    const gp = 'huisarts-99001000-1@example.org';
    for (let i = 0; i < 6; i++) expect((await client(web.webUrl).post('/sign-in', { email: gp })).status).toBe(303);
    await eventually(async () => web.system.mail.messages.filter((m) => m.to.includes(gp)).length === 5, { what: 'five sign-in mails' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(web.system.mail.messages.filter((m) => m.to.includes(gp))).toHaveLength(5);
  });

  it('a link signs in once, into a session cookie that is HttpOnly and SameSite; a spent link is refused', async () => {
    const { browser, link } = await signIn(PEOPLE.coordination);
    expect((await browser.get('/overview')).status).toBe(303);
    const confirm = await browser.get(link);
    expect(confirm.status).toBe(200); // opening the link (a mail scanner does) spends nothing
    const path = new URL(link).pathname;
    const used = await browser.post(path, {});
    expect(used).toMatchObject({ status: 303, location: '/' });
    expect(used.setCookie).toMatch(/HttpOnly/i);
    expect(used.setCookie).toMatch(/SameSite=Lax/i);
    expect(used.setCookie).toMatch(/Max-Age=\d+/i);
    expect((await browser.get('/overview')).status).toBe(200);
    expect((await client(web.webUrl).post(path, {})).status).toBe(410);
    // Sign out ends the session on the server, not only in the browser.
    await browser.post('/sign-out');
    expect((await browser.get('/overview')).status).toBe(303);
  });

  it('an expired link and an expired session sign nobody in', async () => {
    const { browser, link } = await signIn(PEOPLE.finance);
    await db.query(`UPDATE web.sign_in_links SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    expect((await browser.post(new URL(link).pathname, {})).status).toBe(410);
    const again = await signIn(PEOPLE.finance);
    await again.browser.post(new URL(again.link).pathname, {});
    expect((await again.browser.get('/finance')).status).toBe(200);
    await db.query(`UPDATE web.sessions SET expires_at = now() - interval '1 second'`);
    expect((await again.browser.get('/finance')).status).toBe(303);
  });

  it("a practice's contact person reaches their practice's page and not the coordination's; the services decide what they see", async () => {
    const { browser, link } = await signIn(PEOPLE.practice);
    await browser.post(new URL(link).pathname, {});
    expect((await browser.get('/practice')).status).toBe(200);
    expect((await browser.get('/overview')).status).toBe(403);
    expect((await browser.get('/finance')).status).toBe(403);
    // The practice page shows what practice-notification lets this practice see: its own caseload form, no other practice's.
    const page = (await browser.get('/practice')).text;
    expect(page).toContain('De Schaapskooi Emmen (fictief 015)');
    expect(page).not.toContain('fictief 016');
  });

  it('refuses a form posted from another site, and the event stream without a session', async () => {
    const { browser, link } = await signIn(PEOPLE.coordination);
    await browser.post(new URL(link).pathname, {});
    expect((await browser.post('/roster/plan', { from: '2026-12-01', to: '2026-12-08' }, { origin: 'http://elsewhere.example' })).status).toBe(403);
    expect((await client(web.webUrl).get('/events')).status).toBe(303);
  });

  it('keeps only hashes of the link and session secrets', async () => {
    const { rows } = await db.query('SELECT token_sha256 FROM web.sign_in_links LIMIT 1');
    expect(rows[0].token_sha256).toMatch(/^[0-9a-f]{64}$/);
    await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM web.sessions')).rows[0].n > 0);
  });
});

const SCREENSHOTS = join(__dirname, '../../../tmp/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function emailOfGp(agb: string): string {
  const line = readFileSync(join(__dirname, '../../practice-notification/seed/drenthe-gps.csv'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${agb},`));
  return line?.split(',')[3] as string;
}

/** Every visible form control has a name a screen reader can read out. */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
      .filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

describe('in a real browser: the whole story, from an arrival to a batch finance accepts', () => {
  let browser: Browser;
  const pages: Page[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Signs in as a person would: the address, the mail, the link, the button. A fresh context each: its own cookies. */
  async function signInAs(email: string, options: { viewport?: { width: number; height: number } } = {}): Promise<Page> {
    const context = await browser.newContext({ locale: 'nl-NL', viewport: options.viewport ?? { width: 1280, height: 900 } });
    const page = await context.newPage();
    pages.push(page);
    await page.goto(`${web.webUrl}/`);
    const before = web.system.mail.messages.length;
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByRole('button', { name: 'Stuur mij een aanmeldlink' }).click();
    await page.getByText('is er een aanmeldlink onderweg').waitFor();
    await page.goto(await web.signInLink(email, before));
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    return page;
  }

  async function live(page: Page): Promise<void> {
    await page.locator('body[data-live-state="connected"]').waitFor({ state: 'attached', timeout: 15_000 });
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('an arrival appears live, a practice answers, a central location opens, shifts are filled, a consultation leads to a batch finance accepts', async () => {
    // The coordination watches the region.
    const coordination = await signInAs(PEOPLE.coordination);
    await coordination.waitForURL('**/overview');
    await live(coordination);
    await coordination.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // A municipal system announces a group (machines announce; people look).
    const announced = await fetch(`${web.intakeUrl}/v1/arrivals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_KEYS.emmen}` },
      body: JSON.stringify({ reference: 'WEB-STORY-1', municipalityCode: 'GM0114', location: { name: 'AZC Emmen', postcode: '7811 AA', kind: 'reception-centre' }, headcount: 140, arrivalDate: amsterdamDateOf(new Date()) }),
    });
    expect(announced.status).toBe(202);
    await coordination.locator('#arrivals', { hasText: 'AZC Emmen' }).waitFor({ timeout: 30_000 });
    expect(await coordination.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await coordination.locator('svg.map rect').first().waitFor({ state: 'attached' });
    await shot(coordination, '01-coordination-overview');
    expect(await unlabelledControls(coordination)).toEqual([]);

    // The signal awaits an answer; the coordination keeps the central locations open meanwhile.
    await coordination.getByRole('link', { name: 'Meldingen', exact: true }).click();
    await coordination.getByRole('cell', { name: /fictief 015/ }).waitFor({ timeout: 30_000 });
    await shot(coordination, '02-coordination-notifications');
    await coordination.getByRole('link', { name: 'Centrale locaties' }).click();
    await live(coordination);

    // The practice's contact person answers: a central consultation hour.
    const practice = await signInAs(PEOPLE.practice);
    await practice.waitForURL('**/practice');
    const signal = practice.locator('#open-notifications li', { hasText: 'AZC Emmen' });
    await signal.waitFor({ timeout: 30_000 });
    expect(await unlabelledControls(practice)).toEqual([]);
    await signal.getByLabel('Centraal spreekuur op de locatie').check();
    await signal.getByRole('button', { name: 'Keuze versturen' }).click();
    await practice.getByRole('heading', { name: 'Besloten' }).waitFor();
    // A live refresh (the decision's own events) can replace the page between typing and pressing
    // the button, under load (a known race of the page script, issue 7's note): report again then.
    for (let attempt = 1; ; attempt++) {
      await practice.getByLabel('Geef op hoeveel vluchtelingen u nu in zorg hebt').fill('35');
      await practice.getByRole('button', { name: 'Opgeven' }).click();
      try {
        await practice.locator('#caseload-refugees', { hasText: '35' }).waitFor({ timeout: 10_000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    await shot(practice, '03-practice');

    // The central location opens, and appears on the coordination's page without a reload.
    const card = coordination.locator('section.card', { has: coordination.getByRole('heading', { name: /AZC Emmen/ }) });
    await card.waitFor({ timeout: 30_000 });
    while ((await card.getByRole('button', { name: /^Afvinken/ }).count()) > 0) {
      await card.getByRole('button', { name: /^Afvinken/ }).first().click();
      await coordination.getByText('Gelukt').waitFor();
    }
    const tomorrow = plusDays(amsterdamDateOf(new Date()), 1);
    const cadence = coordination.locator('form[action$="/cadence"]');
    for (const day of ['za', 'zo']) await cadence.getByLabel(day, { exact: true }).check();
    await cadence.getByLabel('Vanaf').fill(tomorrow);
    await cadence.getByLabel('Weken').fill('1');
    await cadence.getByLabel('Capaciteit').fill('8');
    await cadence.getByRole('button', { name: 'Frequentie instellen en spreekuren plannen' }).click();
    await coordination.getByText('Gelukt').waitFor();
    await card.getByText(/Spreekuren: 7/).waitFor();
    await shot(coordination, '04-coordination-central-locations');

    // Shifts are filled: the coordination plans the roster and publishes it.
    await coordination.getByRole('link', { name: 'Rooster' }).click();
    await coordination.locator('#plan-to').fill(plusDays(tomorrow, 8));
    await coordination.getByRole('button', { name: 'Concept plannen' }).click();
    await coordination.getByText('Gelukt').waitFor();
    await coordination.locator('#publish-to').fill(plusDays(tomorrow, 8));
    await coordination.getByRole('button', { name: 'Publiceren' }).click();
    await coordination.getByRole('cell', { name: 'published' }).first().waitFor();
    expect(await coordination.getByRole('cell', { name: 'published' }).count()).toBe(7);
    await coordination.locator('.bars .bar').first().waitFor();
    await shot(coordination, '05-coordination-roster');

    // A week passes (the test moves the first session into last week), and its GP records a consultation.
    // The session must lie in a week that has ended (finance closes only those) and have ended less
    // than a week ago (the GP page offers recording for a week): last Sunday's evening is both, on
    // every day of the week (on a Sunday until 23:59, Amsterdam time).
    const { rows: [held] } = await db.query(
      `SELECT s.id, sh.gp_agb FROM clinic_scheduling.sessions s JOIN clinic_scheduling.shifts sh ON sh.session_id = s.id AND sh.status = 'published' ORDER BY s.starts_at LIMIT 1`,
    );
    const today = amsterdamDateOf(new Date());
    const lastSunday = plusDays(today, -(new Date(`${today}T12:00:00Z`).getUTCDay() || 7));
    await db.query('UPDATE clinic_scheduling.sessions SET local_date = $2, starts_at = $3, ends_at = $4 WHERE id = $1', [
      held.id,
      lastSunday,
      amsterdamToUtc(lastSunday, '22:00'),
      amsterdamToUtc(lastSunday, '23:59'),
    ]);
    const gp = await signInAs(emailOfGp(held.gp_agb), { viewport: { width: 390, height: 844 } });
    await gp.waitForURL('**/gp');
    expect(await unlabelledControls(gp)).toEqual([]);
    const record = gp.locator(`form[action="/gp/sessions/${held.id}/consultations"]`);
    await record.getByLabel('Patiëntkenmerk (polsbandnummer)').fill('WB-0001');
    await record.getByRole('button', { name: 'Vastleggen' }).click();
    await gp.getByText('Gelukt').waitFor();
    await shot(gp, '06-gp-phone');
    const feed = await gp.locator('#calendar-feed').getAttribute('href');
    const calendar = await fetch(feed as string); // a calendar app: no session, the feed's own secret
    expect(calendar.status).toBe(200);
    expect(await calendar.text()).toContain('BEGIN:VEVENT');
    expect((await fetch((feed as string).replace(/\/[^/]+\.ics$/, '/not-the-secret.ics'))).status).toBe(404);

    // Another GP gives a coming shift back; the gap is refilled by the roster's rules.
    const { rows: [coming] } = await db.query(
      `SELECT sh.id, sh.gp_agb FROM clinic_scheduling.shifts sh JOIN clinic_scheduling.sessions s ON s.id = sh.session_id
        WHERE sh.status = 'published' AND s.starts_at > now() AND sh.gp_agb <> $1 ORDER BY s.starts_at LIMIT 1`,
      [held.gp_agb],
    );
    const other = await signInAs(emailOfGp(coming.gp_agb));
    await other.waitForURL('**/gp');
    await other.locator(`form[action="/gp/shifts/${coming.id}/release"] button`).click();
    await other.getByText('Gelukt').waitFor();
    expect((await db.query('SELECT status FROM clinic_scheduling.shifts WHERE id = $1', [coming.id])).rows[0].status).toBe('released');
    expect(await other.locator(`form[action="/gp/shifts/${coming.id}/release"]`).count()).toBe(0);

    // The consultation becomes a declaration line; finance closes the week into a batch and accepts it.
    await eventually(async () => (await db.query('SELECT count(*)::int AS n FROM declarations.declaration_lines')).rows[0].n === 1, { what: 'the declaration line' });
    await coordination.getByRole('link', { name: 'Declaraties' }).click();
    await live(coordination);
    const finance = await signInAs(PEOPLE.finance);
    await finance.waitForURL('**/finance');
    await finance.getByRole('button', { name: 'Afgelopen weken tot batches sluiten' }).click();
    await finance.getByText('Gelukt').waitFor();
    await finance.getByRole('link', { name: 'Regels beoordelen' }).click();
    expect(await finance.locator('#lines tbody tr').count()).toBe(1);
    await finance.getByRole('button', { name: 'Uitkomst vastleggen' }).click();
    await finance.getByText('Gelukt').waitFor();
    await finance.getByText(/^Uitkomst: /).waitFor();
    await shot(finance, '07-finance-batch');
    // The export streams through the web app with finance's session (and only with it).
    const exportUrl = `${web.webUrl}${new URL(finance.url()).pathname}/export.csv`;
    const exported = await finance.context().request.get(exportUrl);
    expect(exported.status()).toBe(200);
    expect(exported.headers()['content-type']).toContain('text/csv');
    expect((await exported.text()).split('\n')[0]).toBe('line_id,consultation_id,date_of_care,performance_code,amount_cents,payer,gp_agb,practice_agb,patient_pseudonym,bsn');
    expect((await coordination.context().request.get(exportUrl)).status()).toBe(403);
    // The coordination saw the batch arrive, live.
    await coordination.locator('#batches tbody tr', { hasText: 'CAK' }).waitFor({ timeout: 30_000 });
    await shot(coordination, '08-coordination-batches');

    // In English too.
    await gp.getByRole('link', { name: 'English' }).click();
    await gp.getByRole('heading', { name: 'My shifts' }).waitFor();
  });
});
