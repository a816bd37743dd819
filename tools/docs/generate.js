#!/usr/bin/env node
'use strict';
// `npm run docs`: writes docs/asyncapi.yaml and docs/openapi/<service>.json from the code.
// It runs the same test that checks them, with DRAAIBOEK_WRITE_DOCS=1 (the services must run
// to serve their OpenAPI and report their subscriptions, so it needs Kafka and Postgres like the tests).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const run = spawnSync(
  process.execPath,
  [path.join(__dirname, '../run/test.js'), '--selectProjects', 'system-e2e', '--testPathPatterns', 'contract-documents'],
  { stdio: 'inherit', env: { ...process.env, DRAAIBOEK_WRITE_DOCS: '1' } },
);
process.exitCode = run.status ?? 1;
