/** The one stylesheet: phone first, high contrast (WCAG AA), visible focus, no external fonts. */
export const STYLES = `
:root { --ink: #1b1f24; --muted: #4a5360; --paper: #ffffff; --line: #c9d1da; --accent: #0b4f8a; --accent-ink: #ffffff;
  --ok: #1d6b2f; --warn: #8a5a00; --bad: #a3231f; --soft: #eef3f8; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--paper); line-height: 1.5; font-size: 1rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible { outline: 3px solid #e8a600; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--accent); color: var(--accent-ink); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
header.top { background: var(--accent); color: var(--accent-ink); padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
header.top a, header.top button.link { color: var(--accent-ink); }
header.top .brand { font-weight: 700; font-size: 1.15rem; margin-right: auto; text-decoration: none; }
nav.main ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem .9rem; margin: 0; padding: 0; }
nav.main a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: .25rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
.grid { display: grid; gap: 1rem; grid-template-columns: 1fr; }
@media (min-width: 56rem) { .grid.two { grid-template-columns: 3fr 2fr; } }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; background: var(--paper); }
.card + .card { margin-top: 1rem; }
.card h2:first-child { margin-top: .25rem; }
.break { overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
form.inline { display: inline-flex; flex-wrap: wrap; gap: .4rem; align-items: end; margin: .15rem 0; }
form.stack { display: grid; gap: .6rem; max-width: 32rem; }
label { font-weight: 600; display: block; }
label span.hint { font-weight: 400; color: var(--muted); display: block; font-size: .9rem; }
input, select, textarea { font: inherit; padding: .45rem .5rem; border: 1px solid #6b7684; border-radius: .3rem; min-height: 2.5rem; max-width: 100%; }
input[type=checkbox], input[type=radio] { min-height: 0; width: 1.25rem; height: 1.25rem; padding: 0; margin: 0 .35rem 0 0; vertical-align: -3px; accent-color: var(--accent); }
fieldset { border: 1px solid var(--line); border-radius: .3rem; }
button { font: inherit; padding: .45rem .9rem; min-height: 2.5rem; border-radius: .3rem; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; }
button.secondary { background: var(--paper); color: var(--accent); }
button.link { background: none; border: none; padding: 0; min-height: 0; text-decoration: underline; cursor: pointer; }
.notice { border-left: 6px solid var(--ok); background: #e9f5ec; padding: .5rem .75rem; margin: 0 0 1rem; }
.error { border-left: 6px solid var(--bad); background: #fbeaea; padding: .5rem .75rem; margin: 0 0 1rem; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .8rem; font-size: .85rem; border: 1px solid currentColor; }
.badge.ok { color: var(--ok); } .badge.warn { color: var(--warn); } .badge.bad { color: var(--bad); }
.muted { color: var(--muted); }
.live-offer { display: block; margin: 0 0 1rem; background: #e8a600; color: #1b1f24; border-color: #8a5a00; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
svg.map { width: 100%; height: auto; max-height: 70vh; background: #f6f8fa; border: 1px solid var(--line); border-radius: .5rem; }
svg.map text { font-size: 11px; fill: var(--ink); }
.legend { display: flex; flex-wrap: wrap; gap: .3rem 1rem; font-size: .9rem; margin: .4rem 0; padding: 0; list-style: none; }
.legend i { display: inline-block; width: .9rem; height: .9rem; border-radius: 50%; vertical-align: -2px; margin-right: .3rem; border: 1px solid #333; }
.bars { display: grid; gap: .2rem; }
.bar { display: grid; grid-template-columns: 6.5rem 1fr 4rem; gap: .5rem; align-items: center; font-size: .9rem; }
.bar .fill { background: var(--accent); height: .9rem; border-radius: .2rem; min-width: 2px; }
ul.plain { list-style: none; padding: 0; margin: 0; }
ul.plain li { padding: .5rem 0; border-bottom: 1px solid var(--line); }
`;
