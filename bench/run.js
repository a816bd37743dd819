#!/usr/bin/env node
'use strict';
// `npm run bench [-- name...]`: build once (tsc -p tsconfig.build.json), run the named benchmarks
// (bench/<name>.js; default: all of them) one after the other, print a table per benchmark,
// write bench/results/<name>-<timestamp>.json, and rewrite that benchmark's section of
// docs/benchmarks.md. Exits non-zero when the build or any benchmark fails.
// Benchmarks are never part of `npm test`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const benchDir = __dirname;
const resultsDir = path.join(benchDir, 'results');
const docsFile = path.join(root, 'docs', 'benchmarks.md');
const BUILD_TIMEOUT_MS = 300_000;

const DOCS_INTRO = `# Benchmarks

How fast the services are on a given machine, measured against real Kafka and PostgreSQL.
Every figure is reported beside a baseline measured **in the same run, on the same
infrastructure**, and as a ratio to it: absolute rates say more about the machine than about
the code, the ratio is what to compare between runs and commits.

Run them with

\`\`\`sh
npm run bench                       # all benchmarks
npm run bench -- intake-arrivals    # one of them
\`\`\`

\`bench/run.js\` builds once (\`tsc -p tsconfig.build.json\`), starts throwaway infrastructure on
127.0.0.1 (a local Apache Kafka broker, a scratch database on the local PostgreSQL server; both
removed afterwards), prints a table, writes the full result as JSON to
\`bench/results/<name>-<timestamp>.json\` (not committed) and rewrites the benchmark's section
below. Benchmarks are not part of \`npm test\`.
`;

function say(line = '') {
  process.stdout.write(`${line}\n`);
}

function log(line) {
  process.stderr.write(`${line}\n`);
}

function availableBenchmarks() {
  return fs
    .readdirSync(benchDir)
    .filter((f) => f.endsWith('.js') && f !== 'run.js')
    .map((f) => f.slice(0, -3))
    .sort();
}

function build() {
  say('Building (tsc -p tsconfig.build.json)...');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (result.error) throw new Error(`build failed: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`build failed (tsc exit ${result.status})`);
}

/** A plain-text table; columns sized to their content. */
function printTable(rows) {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ');
  say(line(columns));
  say(widths.map((w) => '-'.repeat(w)).join('-+-'));
  for (const row of rows) say(line(columns.map((c) => row[c])));
}

function writeJson(name, result) {
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(resultsDir, `${name}-${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/**
 * Replaces the "## <section>" section of docs/benchmarks.md (up to the next "## " heading),
 * or appends it; creates the file with its introduction if missing; keeps everything else.
 */
function rewriteDocsSection(section, body) {
  const heading = `## ${section}`;
  const existing = fs.existsSync(docsFile) ? fs.readFileSync(docsFile, 'utf8') : DOCS_INTRO;
  const lines = existing.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === heading);
  const replacement = [heading, '', ...body.trimEnd().split('\n'), ''];
  let out;
  if (start === -1) {
    out = [...lines];
    while (out.length && out[out.length - 1].trim() === '') out.pop();
    out.push('', ...replacement);
  } else {
    let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
    if (end === -1) end = lines.length;
    out = [...lines.slice(0, start), ...replacement, ...lines.slice(end)];
  }
  fs.mkdirSync(path.dirname(docsFile), { recursive: true });
  fs.writeFileSync(docsFile, `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`);
}

async function main() {
  const available = availableBenchmarks();
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = requested.length ? requested : available;
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length) {
    throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  }

  build();

  let failed = 0;
  for (const name of names) {
    say(`\n== ${name} ==`);
    const started = Date.now();
    try {
      const benchmark = require(path.join(benchDir, `${name}.js`));
      const result = await benchmark.run({ log });
      const file = writeJson(name, result);
      say(`\n${benchmark.title} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      printTable(benchmark.tableRows(result));
      say(`\nResult: ${path.relative(root, file)}`);
      if (benchmark.docsSection) {
        rewriteDocsSection(benchmark.docsSection, benchmark.markdown(result));
        say(`Updated: ${path.relative(root, docsFile)} (## ${benchmark.docsSection})`);
      }
    } catch (error) {
      failed += 1;
      log(`\n${name} FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${error.stack || error.message}`);
    }
  }
  return failed;
}

main().then(
  (failed) => {
    if (failed) say(`\n${failed} benchmark(s) failed.`);
    // Nothing of a finished benchmark may keep the process alive.
    process.exit(failed ? 1 : 0);
  },
  (error) => {
    log(error.message);
    process.exit(1);
  },
);
