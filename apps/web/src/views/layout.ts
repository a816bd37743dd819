import { Role } from '@draaiboek/platform';
import { Person } from '../modules/sign-in/person';
import { html, HtmlValue, SafeHtml } from './html';
import { Lang, Texts, TEXTS } from './i18n';
import type { LiveKind } from '../modules/live/live-hub';

export interface Page {
  title: string;
  body: SafeHtml;
  /** The kinds of change this page shows: the browser refetches it when one happens. */
  live?: LiveKind[];
  status?: number;
  /** Where the page lives, when it is shown under a form's address (after a refusal). */
  url?: string;
}

export interface ViewContext {
  lang: Lang;
  t: Texts;
  person?: Person;
  path: string;
  notice?: string;
  error?: string;
}

const NAV: Array<{ role: Role; href: string; text: keyof Texts }> = [
  { role: 'coordination', href: '/overview', text: 'navOverview' },
  { role: 'coordination', href: '/burden', text: 'navBurden' },
  { role: 'coordination', href: '/notifications', text: 'navNotifications' },
  { role: 'coordination', href: '/central-locations', text: 'navLocations' },
  { role: 'coordination', href: '/roster', text: 'navRoster' },
  { role: 'coordination', href: '/batches', text: 'navBatches' },
  { role: 'practice', href: '/practice', text: 'navPractice' },
  { role: 'gp', href: '/gp', text: 'navGp' },
  { role: 'finance', href: '/finance', text: 'navFinance' },
];

export function contextOf(lang: Lang, person: Person | undefined, path: string, extra: { notice?: string; error?: string } = {}): ViewContext {
  return { lang, t: TEXTS[lang], person, path, ...extra };
}

/** The messages above a page's content, inside <main> so a live refetch keeps them current. */
export function mainContent(ctx: ViewContext, page: Page): SafeHtml {
  return html`${ctx.notice ? html`<p class="notice" role="status">${ctx.notice}</p>` : ''}${ctx.error ? html`<div class="error" role="alert">${ctx.error}</div>` : ''}${page.body}`;
}

export function layout(ctx: ViewContext, page: Page): string {
  const { t } = ctx;
  const other = ctx.lang === 'nl' ? 'en' : 'nl';
  const nav = ctx.person
    ? NAV.filter((n) => ctx.person?.roles.includes(n.role)).map(
        (n) => html`<li><a href="${n.href}"${ctx.path.startsWith(n.href) ? html` aria-current="page"` : ''}>${t[n.text]}</a></li>`,
      )
    : [];
  const account: HtmlValue = ctx.person
    ? html`<span class="who">${ctx.person.name ?? ctx.person.id}</span>
        <form method="post" action="/sign-out" class="inline"><button type="submit" class="link">${t.signOut}</button></form>`
    : '';
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · ${t.appName}</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/live.js" defer></script>
</head>
<body data-live="${(page.live ?? []).join(' ')}"${page.url ? html` data-url="${page.url}"` : ''} data-updated-text="${t.updated}" data-offer-text="${t.offer}">
<a class="skip" href="#main">${t.skip}</a>
<header class="top">
  <a class="brand" href="/">${t.appName}</a>
  ${nav.length ? html`<nav class="main" aria-label="${t.appName}"><ul>${nav}</ul></nav>` : ''}
  <a href="/language/${other}?back=${encodeURIComponent(ctx.path)}" lang="${other}">${t.otherLanguage}</a>
  ${account}
</header>
<div id="live-status" class="sr-only" role="status" aria-live="polite"></div>
<main id="main" tabindex="-1">${mainContent(ctx, page)}</main>
</body>
</html>`.value;
}
