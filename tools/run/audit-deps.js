#!/usr/bin/env node
'use strict';
// `npm run audit:prod`: `npm audit` of the production dependency tree (what the container
// image ships); fails on any high or critical advisory, listing each. Exit 2 when the
// registry's audit endpoint cannot be reached: that is no verdict, not a pass.
const { spawnSync } = require('node:child_process');
const { root } = require('./ensure-installed');

const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let report;
try {
  report = JSON.parse(result.stdout);
} catch {
  report = undefined;
}
if (!report || report.error || !report.metadata) {
  process.stderr.write(`npm audit gave no report (${report?.message ?? report?.error?.summary ?? 'no output'}).\n`);
  process.exit(2);
}
const counts = report.metadata.vulnerabilities;
const serious = Object.entries(report.vulnerabilities ?? {}).filter(([, v]) => v.severity === 'high' || v.severity === 'critical');
for (const [name, v] of serious) {
  const via = v.via.map((x) => (typeof x === 'string' ? x : `${x.title} (${x.url})`)).join('; ');
  process.stdout.write(`${v.severity}: ${name} ${v.range}: ${via}\n`);
}
process.stdout.write(`production dependencies: ${counts.critical} critical, ${counts.high} high, ${counts.moderate} moderate, ${counts.low} low\n`);
process.exit(serious.length > 0 ? 1 : 0);
