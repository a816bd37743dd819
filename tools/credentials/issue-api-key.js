#!/usr/bin/env node
'use strict';
// The coordination issues an API key: prints the key once (hand it over securely) and the
// entry to add to the services' API_KEYS_FILE. Only the hash is ever stored.
//   node tools/credentials/issue-api-key.js --id gm0114-system --role municipality --municipality GM0114
const { createHash, randomBytes } = require('node:crypto');
const { parseArgs } = require('node:util');

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    role: { type: 'string', multiple: true },
    municipality: { type: 'string' },
    practice: { type: 'string' },
  },
});
const roles = ['coordination', 'municipality', 'practice', 'gp', 'scheduler', 'finance', 'instance'];
if (!values.id || !values.role || values.role.some((r) => !roles.includes(r))) {
  process.stderr.write(`usage: issue-api-key.js --id <name> --role <${roles.join('|')}> [--role ...] [--municipality GMxxxx]\n`);
  process.exit(2);
}
if (values.role.includes('municipality') && !/^GM\d{4}$/.test(values.municipality ?? '')) {
  process.stderr.write('a municipality key needs --municipality GM followed by 4 digits\n');
  process.exit(2);
}
const key = randomBytes(24).toString('base64url');
const entry = { id: values.id, sha256: createHash('sha256').update(key).digest('hex'), roles: values.role };
if (values.municipality) entry.municipalityCode = values.municipality;
if (values.practice) entry.practiceAgb = values.practice;
process.stdout.write(`API key (shown once; hand it over securely): ${key}\n`);
process.stdout.write(`Entry for API_KEYS_FILE:\n${JSON.stringify(entry)}\n`);
