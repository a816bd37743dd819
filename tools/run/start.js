#!/usr/bin/env node
'use strict';
// `npm start`: install what is missing, build, start Kafka and Postgres, migrate and start the
// four services and the web app, seed a demo arrival, and print where to look. Ctrl-C stops the services;
// `npm run infra -- down` stops the local Kafka broker as well.
const { spawn, spawnSync } = require('node:child_process');
const { serviceNodeFlags } = require('./service-node-flags');
const { randomBytes, createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { ensureInstalled, root } = require('./ensure-installed');

const SERVICES = [
  { name: 'intake', port: 3001 },
  { name: 'practice-notification', port: 3002 },
  { name: 'clinic-scheduling', port: 3003 },
  { name: 'declarations', port: 3004 },
  // The web app last: it calls the four services on people's behalf.
  { name: 'web', port: 3000 },
];
/** Who may sign in to the web app besides the directory's people (practices, GPs, hagro coordinators). */
const DEMO_STAFF = [
  { id: 'coordinatie-demo', email: 'coordinatie@example.org', name: 'Coördinatie (demo)', roles: ['coordination'] },
  { id: 'financien-demo', email: 'financien@example.org', name: 'Financiën (demo)', roles: ['finance'] },
];
const localDir = path.join(root, '.local');
const logDir = path.join(localDir, 'logs');

function say(line = '') {
  process.stdout.write(line + '\n');
}

/** Demo credentials, made once per checkout; only their hashes go into the services' config. */
function demoKeys() {
  const file = path.join(localDir, 'demo-api-keys.json');
  const make = () => randomBytes(24).toString('base64url');
  const wanted = [
    { id: 'coordination-demo', roles: ['coordination'], key: make() },
    { id: 'gm0114-emmen-system', roles: ['municipality'], municipalityCode: 'GM0114', key: make() },
    { id: 'gm0106-assen-system', roles: ['municipality'], municipalityCode: 'GM0106', key: make() },
    { id: 'finance-demo', roles: ['finance'], key: make() },
    { id: 'scheduler-demo', roles: ['scheduler'], key: make() },
    // A practice of the demo directory (covers AZC Emmen's PC4 7811), and its hagro's coordinator.
    { id: 'practice-99001015', roles: ['practice'], practiceAgb: '99001015', key: make() },
    { id: 'hagro-emmen-centrum-coordinator', roles: ['practice'], hagroCode: 'EMMEN-CENTRUM', key: make() },
  ];
  // Keep the keys made before (people may have copied them); add the ones a newer version needs.
  const existing = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
  const keys = [...existing, ...wanted.filter((w) => !existing.some((e) => e.id === w.id))];
  fs.mkdirSync(localDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/** A demo Ed25519 key pair for Emmen's system, so the Kafka door can be tried (docs/municipal-integration.md). */
function demoSigningKeys() {
  const dir = path.join(localDir, 'signing');
  const privateFile = path.join(dir, 'gm0114-demo.private.pem');
  const publicFile = path.join(dir, 'gm0114-demo.public.pem');
  if (!fs.existsSync(privateFile)) {
    const { generateKeyPairSync } = require('node:crypto');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return JSON.stringify([{ keyId: 'gm0114-demo', municipalityCode: 'GM0114', publicKey: fs.readFileSync(publicFile, 'utf8') }]);
}

/**
 * Demo secrets for consultations: the declarations key pair (clinic-scheduling encrypts the BSN
 * with the public key; declarations holds the private one) and the patient pseudonym key.
 */
function demoConsultationKeys() {
  const dir = path.join(localDir, 'keys');
  const privateFile = path.join(dir, 'declarations.private.pem');
  const publicFile = path.join(dir, 'declarations.public.pem');
  const pseudonymFile = path.join(dir, 'patient-pseudonym.key');
  if (!fs.existsSync(privateFile)) {
    const { generateKeyPairSync } = require('node:crypto');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  if (!fs.existsSync(pseudonymFile)) fs.writeFileSync(pseudonymFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return {
    DECLARATIONS_PUBLIC_KEY: fs.readFileSync(publicFile, 'utf8'),
    DECLARATIONS_PRIVATE_KEY_FILE: privateFile,
    PATIENT_PSEUDONYM_KEY: fs.readFileSync(pseudonymFile, 'utf8'),
  };
}

/** The web app's Ed25519 key for person tokens; the services get its public half. */
function demoPersonTokenKeys() {
  const dir = path.join(localDir, 'keys');
  const privateFile = path.join(dir, 'person-token.private.pem');
  const publicFile = path.join(dir, 'person-token.public.pem');
  if (!fs.existsSync(privateFile)) {
    const { generateKeyPairSync } = require('node:crypto');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return {
    services: { PERSON_TOKEN_PUBLIC_KEYS: JSON.stringify([{ keyId: 'web-demo', publicKey: fs.readFileSync(publicFile, 'utf8') }]) },
    web: { PERSON_TOKEN_PRIVATE_KEY_FILE: privateFile, PERSON_TOKEN_KEY_ID: 'web-demo', WEB_STAFF: JSON.stringify(DEMO_STAFF), PUBLIC_BASE_URL: 'http://127.0.0.1:3000' },
  };
}

async function waitReady(url, child, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/** The demo region's practice directory (fictitious), through the import API like any upload. */
async function seedDirectory(keys) {
  const coordination = keys.find((k) => k.roles.includes('coordination'));
  for (const [file, path_] of [['drenthe-practices.csv', 'practices'], ['drenthe-gps.csv', 'gps']]) {
    const response = await fetch(`http://127.0.0.1:3002/v1/directory/${path_}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${coordination.key}` },
      body: fs.readFileSync(path.join(root, 'apps/practice-notification/seed', file), 'utf8'),
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`seeding ${file}: HTTP ${response.status} ${body.message ?? ''}`);
    say(`  seeded ${file}: ${body.accepted} rows (${body.created} new)`);
  }
}

async function seedDemoArrival(keys) {
  const emmen = keys.find((k) => k.municipalityCode === 'GM0114');
  const response = await fetch('http://127.0.0.1:3001/v1/arrivals', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${emmen.key}` },
    body: JSON.stringify({
      reference: 'DEMO-EMMEN-001',
      municipalityCode: 'GM0114',
      location: { name: 'AZC Emmen (demo)', postcode: '7811 AA', kind: 'reception-centre' },
      headcount: 140,
      arrivalDate: new Date().toISOString().slice(0, 10),
      composition: { children: 50, adults: 80, over65: 10 },
      withBsnCount: 90,
    }),
  });
  const body = await response.json();
  if (response.status !== 202 && response.status !== 409) throw new Error(`demo arrival: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function main() {
  ensureInstalled();
  say('Building (tsc -p tsconfig.build.json)...');
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');

  say('Starting Kafka and Postgres...');
  const { provideInfrastructure } = require('../infra');
  const infra = await provideInfrastructure({ mode: 'run', log: (line) => say(`  ${line}`) });
  for (const line of infra.describe) say(`  ${line}`);

  const { startMailCatcher } = require('../infra/mail-catcher');
  const mail = await startMailCatcher({ smtpPort: 1025, httpPort: 1080 }).catch((error) => {
    throw new Error(`mail catcher could not start on 127.0.0.1:1025/1080 (${error.message}); is another npm start running?`);
  });
  say(`  mail: catcher at ${mail.httpUrl} (SMTP ${mail.smtpUrl})`);

  const keys = demoKeys();
  const signingKeys = demoSigningKeys();
  const consultationKeys = demoConsultationKeys();
  const personTokenKeys = demoPersonTokenKeys();
  const apiKeys = JSON.stringify(
    keys.map(({ key, ...rest }) => ({ ...rest, sha256: createHash('sha256').update(key).digest('hex') })),
  );
  fs.mkdirSync(logDir, { recursive: true });
  const children = [];
  const stopAll = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await infra.stop().catch(() => undefined);
    await mail.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => stopAll().then(() => process.exit(0)));
  process.once('SIGTERM', () => stopAll().then(() => process.exit(0)));

  for (const service of SERVICES) {
    const log = fs.openSync(path.join(logDir, `${service.name}.log`), 'a');
    const child = spawn(
      process.execPath,
      [...serviceNodeFlags(service.name), '-r', path.join(root, 'tools/run/register-paths.js'), path.join(root, `dist/out/apps/${service.name}/src/main.js`)],
      {
        cwd: root,
        stdio: ['ignore', log, log],
        env: {
          ...process.env,
          NODE_ENV: 'production',
          HTTP_PORT: String(service.port),
          DATABASE_URL: infra.databaseUrl,
          KAFKA_BROKERS: infra.kafkaBrokers,
          API_KEYS: apiKeys,
          MUNICIPAL_SIGNING_KEYS: signingKeys,
          SMTP_URL: mail.smtpUrl,
          ...consultationKeys,
          ...(service.name === 'web' ? personTokenKeys.web : personTokenKeys.services),
        },
      },
    );
    children.push(child);
    // Services migrate their own schema at start; start them one by one so logs read in order.
    const ready = await waitReady(`http://127.0.0.1:${service.port}`, child);
    if (!ready) {
      await stopAll();
      throw new Error(`${service.name} did not become ready; see ${path.relative(root, path.join(logDir, `${service.name}.log`))}`);
    }
    say(`  ${service.name} ready on http://127.0.0.1:${service.port}`);
  }

  await seedDirectory(keys);
  const demo = await seedDemoArrival(keys);
  say('');
  say('Draaiboek is running.');
  for (const service of SERVICES) say(`  ${service.name.padEnd(22)} http://127.0.0.1:${service.port}/docs   (health: /health/ready)`);
  say(`  Web app:           http://127.0.0.1:3000   (sign in with e-mail; the link arrives in the mail catcher)`);
  say(`    coordination: ${DEMO_STAFF[0].email} · finance: ${DEMO_STAFF[1].email}`);
  say(`    a practice: praktijk-99001015@example.org · a GP: huisarts-99001015-1@example.org (see apps/practice-notification/seed)`);
  say(`  Mail catcher:      ${mail.httpUrl}   (every e-mail the services send)`);
  say(`  Logs:              .local/logs/<service>.log`);
  say(`  Demo API keys:     .local/demo-api-keys.json`);
  say(`  Demo signing key:  .local/signing/gm0114-demo.private.pem (key id gm0114-demo, for municipal.arrivals.v1)`);
  say(`  Integrators:       docs/municipal-integration.md`);
  say(`  Demo arrival:      group ${demo.groupId ?? '(see intake log)'} at AZC Emmen (demo), 140 people`);
  say('');
  say('Try it:');
  const emmen = keys.find((k) => k.municipalityCode === 'GM0114');
  say(`  curl -s -X POST http://127.0.0.1:3001/v1/arrivals -H 'content-type: application/json' \\`);
  say(`    -H 'authorization: Bearer ${emmen.key}' \\`);
  say(`    -d '{"reference":"EMM-1","municipalityCode":"GM0114","location":{"name":"AZC Emmen","postcode":"7811 AA","kind":"reception-centre"},"headcount":25,"arrivalDate":"2026-12-01"}'`);
  say('');
  say('Ctrl-C stops the services; `npm run infra -- down` stops the local Kafka broker too.');
  await new Promise(() => undefined);
}

main().catch((error) => {
  process.stderr.write(`npm start failed: ${error.message}\n`);
  process.exit(1);
});
