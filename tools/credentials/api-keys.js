#!/usr/bin/env node
'use strict';
// The coordination's machine credentials: issue, rotate, revoke and list API keys in the
// services' API_KEYS_FILE. Services re-read the file within seconds; no restart, no redeploy.
// A key is printed once (hand it over securely); only its SHA-256 hash is stored.
//   node tools/credentials/api-keys.js issue  --file keys.json --id gm0114-system --role municipality --municipality GM0114
//   node tools/credentials/api-keys.js rotate --file keys.json --id gm0114-system [--grace-hours 24]
//   node tools/credentials/api-keys.js revoke --file keys.json --id gm0114-system
//   node tools/credentials/api-keys.js list   --file keys.json
// Without --file, `issue` only prints the entry to add by hand.
const { createHash, randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROLES = ['coordination', 'municipality', 'practice', 'gp', 'scheduler', 'finance', 'instance'];
const USAGE = `usage: api-keys.js issue|rotate|revoke|list --file <API_KEYS_FILE> --id <name>
  issue:  --role <${ROLES.join('|')}> [--role ...] [--municipality GMxxxx] [--practice <agb>] [--gp <agb>] [--hagro <code>]
  rotate: [--grace-hours <h>]  a new key for the id; its old keys keep working for the grace period (24 h)
  revoke:                      every key of the id stops working within seconds`;

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: {
    file: { type: 'string' },
    id: { type: 'string' },
    role: { type: 'string', multiple: true },
    municipality: { type: 'string' },
    practice: { type: 'string' },
    gp: { type: 'string' },
    hagro: { type: 'string' },
    'grace-hours': { type: 'string' },
  },
});

function readFile(file) {
  if (!fs.existsSync(file)) return [];
  const entries = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(entries)) fail(`${file}: expected a JSON array`);
  return entries;
}

/** Write-and-rename: a service never reads half a file. */
function writeFile(file, entries) {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, JSON.stringify(entries, null, 2) + '\n', { mode: 0o640 });
  fs.renameSync(temporary, file);
}

function newKey() {
  const key = randomBytes(24).toString('base64url');
  return { key, sha256: createHash('sha256').update(key).digest('hex') };
}

function issue() {
  if (!values.id || !values.role || values.role.some((r) => !ROLES.includes(r))) fail(USAGE);
  if (values.role.includes('municipality') && !/^GM\d{4}$/.test(values.municipality ?? '')) fail('a municipality key needs --municipality GM followed by 4 digits');
  for (const [option, value] of [['practice', values.practice], ['gp', values.gp]]) {
    if (value !== undefined && !/^\d{8}$/.test(value)) fail(`--${option} must be an AGB code of 8 digits`);
  }
  const { key, sha256 } = newKey();
  const entry = { id: values.id, sha256, roles: values.role };
  if (values.municipality) entry.municipalityCode = values.municipality;
  if (values.practice) entry.practiceAgb = values.practice;
  if (values.gp) entry.gpAgb = values.gp;
  if (values.hagro) entry.hagroCode = values.hagro;
  process.stdout.write(`API key for ${values.id} (shown once; hand it over securely): ${key}\n`);
  if (!values.file) {
    process.stdout.write(`Entry for API_KEYS_FILE:\n${JSON.stringify(entry)}\n`);
    return;
  }
  writeFile(values.file, [...readFile(values.file), entry]);
  process.stdout.write(`Added to ${values.file}.\n`);
}

function rotate() {
  if (!values.file || !values.id) fail(USAGE);
  const graceHours = values['grace-hours'] === undefined ? 24 : Number(values['grace-hours']);
  if (!Number.isFinite(graceHours) || graceHours < 0) fail('--grace-hours must be a number of hours, 0 or more');
  const entries = readFile(values.file);
  const own = entries.filter((e) => e.id === values.id);
  if (own.length === 0) fail(`${values.file} has no key with id ${values.id}`);
  const until = new Date(Date.now() + graceHours * 3_600_000);
  for (const e of own) {
    if (!e.notAfter || Date.parse(e.notAfter) > until.getTime()) e.notAfter = until.toISOString();
  }
  const { key, sha256 } = newKey();
  const { notAfter: _old, sha256: _hash, ...principal } = own[own.length - 1];
  writeFile(values.file, [...entries, { ...principal, sha256 }]);
  process.stdout.write(`New API key for ${values.id} (shown once; hand it over securely): ${key}\n`);
  process.stdout.write(`The previous key${own.length > 1 ? 's' : ''} of ${values.id} stop${own.length > 1 ? '' : 's'} working at ${until.toISOString()}.\n`);
}

function revoke() {
  if (!values.file || !values.id) fail(USAGE);
  const entries = readFile(values.file);
  const kept = entries.filter((e) => e.id !== values.id);
  if (kept.length === entries.length) fail(`${values.file} has no key with id ${values.id}`);
  writeFile(values.file, kept);
  process.stdout.write(`Revoked ${entries.length - kept.length} key(s) of ${values.id}; services stop accepting them within seconds.\n`);
}

function list() {
  if (!values.file) fail(USAGE);
  for (const e of readFile(values.file)) {
    const scope = [e.municipalityCode, e.practiceAgb, e.gpAgb, e.hagroCode].filter(Boolean).join(' ');
    process.stdout.write(`${e.id}\t${e.roles.join(',')}\t${scope || '-'}\t${e.notAfter ? `until ${e.notAfter}` : 'active'}\t${e.sha256.slice(0, 12)}...\n`);
  }
}

const commands = { issue, rotate, revoke, list };
if (!commands[command]) fail(USAGE);
commands[command]();
