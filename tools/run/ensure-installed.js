'use strict';
// Installs the project's npm dependencies when they are missing or older than package-lock.json.
// Only Node built-ins here: this runs before anything is installed.
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const stampFile = path.join(root, 'node_modules', '.draaiboek-install-stamp');

function lockHash() {
  return createHash('sha256').update(fs.readFileSync(path.join(root, 'package-lock.json'))).digest('hex');
}

function ensureInstalled(log = (line) => process.stderr.write(line + '\n')) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) throw new Error(`Node 20 or newer is required (this is ${process.version})`);
  const wanted = lockHash();
  const current = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
  if (current === wanted) return false;
  // `npm install` with the committed lock installs exactly the locked versions. Not `npm ci`:
  // npm 11 writes locks without the other platforms' optional bindings, and `npm ci` then
  // refuses the lock as out of sync (see docs/decisions/0005-infrastructure-provisioning.md).
  log('Installing npm dependencies (npm install, from package-lock.json)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm install failed');
  fs.writeFileSync(stampFile, wanted + '\n');
  return true;
}

/**
 * The browser tests drive Debian's Chromium (playwright-core downloads no browser). Installed
 * with apt when missing, as CI runs as root; elsewhere the message says what to install.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function ensureChromium(log = (line) => process.stderr.write(line + '\n')) {
  if (fs.existsSync(CHROMIUM)) return false;
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
    throw new Error(`Chromium is needed for the browser tests: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`);
  }
  log('Installing Chromium for the browser tests (apt-get install chromium)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  if (update.status !== 0) throw new Error('apt-get update failed');
  const install = spawnSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env });
  if (install.status !== 0 || !fs.existsSync(CHROMIUM)) throw new Error('apt-get install chromium failed');
  return true;
}

module.exports = { ensureInstalled, ensureChromium, root };
