#!/usr/bin/env node
'use strict';
// `npm test`: install what is missing, type-check, run the whole suite (jest's global setup
// provides real Kafka and Postgres), and end with one line: `N passed, N failed`.
// Extra arguments go to jest, e.g. `npm test -- --selectProjects intake`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureChromium, ensureInstalled, root } = require('./ensure-installed');

function run(args, options = {}) {
  return spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' }, ...options });
}

function main() {
  ensureInstalled();
  ensureChromium();
  let passed = 0;
  let failed = 0;

  process.stderr.write('Type-checking (tsc --noEmit)...\n');
  const tsc = run([path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
  if (tsc.status === 0) passed += 1;
  else failed += 1;

  const userArgs = process.argv.slice(2);
  const filtered = userArgs.length > 0; // `-t` and friends skip tests on purpose
  const count = (name, extraArgs) => {
    const resultsFile = path.join(root, 'tmp', `${name}.json`);
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.rmSync(resultsFile, { force: true });
    run([path.join(root, 'node_modules/jest/bin/jest.js'), '--ci', '--maxWorkers=2', '--json', `--outputFile=${resultsFile}`, ...extraArgs]);
    if (!fs.existsSync(resultsFile)) {
      process.stderr.write(`jest produced no results file (${name}).\n`);
      failed += 1;
      return;
    }
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    passed += results.numPassedTests;
    // A file that failed to load counts as a failure even though none of its tests ran.
    failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
    if (results.numPendingTests > 0 && !filtered) {
      process.stderr.write(`${results.numPendingTests} tests were skipped: skipped tests are not allowed here.\n`);
      failed += results.numPendingTests;
    }
  };
  count('jest-results', userArgs);
  // The fault suite's short profile runs last and alone: its recovery-time criterion must not
  // share the machine with the rest of the suite (docs/reliability.md). Not when filtering.
  if (!filtered) {
    process.stderr.write('Fault suite, short profile (tools/faults)...\n');
    count('jest-faults-results', ['-c', path.join(root, 'tools/faults/jest.config.js')]);
  }
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exitCode = 1;
}
