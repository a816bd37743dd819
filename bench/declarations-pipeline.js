'use strict';
/**
 * Declarations benchmark (issue 6): N ConsultationRecorded events (default 1,000,000) -> one
 * declaration line each -> batches per payer and week -> every batch exported as CSV, beside a raw
 * `COPY` of the same rows into a table of the same shape, in the same run, on the same database.
 *
 *   1. Produce: N consultations, as clinic-scheduling publishes them (80 % with a BSN encrypted for
 *      declarations by the platform's DataKeyEncryptor, 5 % third-country nationals, 26 weeks of
 *      2026, 4 codes), onto `<prefix>clinic-scheduling.consultations.v1` before the service starts.
 *   2. Lines: the declarations service (its own Node process) starts and consumes the topic; clock
 *      from its fork to the moment the service has committed the Kafka offset of the N-th
 *      consultation (it does so only after the line is committed; the lines are counted after).
 *   3. Batches: `POST /v1/batches/close` (finance closes every finished week by hand).
 *   4. Export: `GET /v1/batches/{id}/export?format=csv` of every batch, read to the end, BSNs
 *      decrypted by the service; every row counted and checked.
 *   Baseline: the same N rows streamed with `COPY ... FROM STDIN` (pg-copy-streams) into
 *   `CREATE TABLE ... (LIKE declaration_lines INCLUDING ALL)`. The CSV is made (BSNs encrypted)
 *   before the clock starts, in chunks of about 1 MiB: only the COPY itself is timed.
 *   Memory: the service process's resident set, sampled every 100 ms (VmRSS), and its peak (VmHWM).
 *   Targets (issue 6): lines + batches + export under 60 s; the service under 512 MiB resident.
 *
 * Checks (the run fails when one fails): exactly N lines, none needing attention; the batches hold
 * every line once; every export's checksum header and recomputed checksum equal the batch's; every
 * exported row's BSN is the one the consultation carried; no dead letters; no error logged.
 *
 * Run with `npm run bench -- declarations-pipeline`. Knobs (env): BENCH_CONSULTATIONS,
 * BENCH_KAFKA_BATCH, BENCH_WEEKS (<= 46), BENCH_SEED, BENCH_TOTAL_TIMEOUT_MS, BENCH_ORDER
 * (`recorded`: week after week, as consultations happen, the default; `interleaved`: each
 * consultation in the next week, so every batch has lines on every page of the table); BENCH_PROFILE_DIR=<dir>
 * writes a CPU profile of the service process.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');
const { performance } = require('node:perf_hooks');
const http = require('node:http');

const { envInt, pollUntil, round, formatNumber: fmt, machineInfo, memorySampler, cpuMeter, pidsNamed } = require('./lib/util');
const { ROOT, runBounded, startServiceProcess, httpRequest, stackVersions, handWrittenPart, checkList, throwawayInfrastructure } = require('./lib/harness');

const NAME = 'declarations-pipeline';
const DOCS_SECTION = 'Declarations';
const HAND_WRITTEN_MARKER = '### Where the time goes';
const DOCS_FILE = path.join(ROOT, 'docs', 'benchmarks.md');
const SERVICE_MODULE = 'dist/out/apps/declarations/src/declarations.service.js';
const SCHEMA = 'declarations';
const CODES = ['12000', '12001', '12400', '12401'];
const FIRST_MONDAY = Date.parse('2026-01-05T12:00:00Z'); // weeks of 2026, all before today's last Sunday
const DAY = 86_400_000;
const LOCATIONS = 10;
const GPS = 300;
const PRACTICES = 100;

function parameters() {
  return {
    consultations: envInt('BENCH_CONSULTATIONS', 1_000_000),
    kafkaBatch: envInt('BENCH_KAFKA_BATCH', 2000),
    weeks: envInt('BENCH_WEEKS', 26, { max: 46 }),
    seed: envInt('BENCH_SEED', 20261201, { min: 0 }),
    order: orderOf(process.env.BENCH_ORDER),
    totalTimeoutMs: envInt('BENCH_TOTAL_TIMEOUT_MS', 1_800_000),
  };
}

/** The order the consultations arrive in: 'recorded' (week by week, the default) or 'interleaved'. */
function orderOf(value) {
  if (value === undefined || value === '' || value === 'recorded') return 'recorded';
  if (value === 'interleaved') return 'interleaved';
  throw new Error(`BENCH_ORDER must be recorded or interleaved, not ${value}`);
}

const hex = (n, width) => n.toString(16).padStart(width, '0');
/**
 * Deterministic ids, so the checks can tell from a row which consultation it is. They rise with
 * the order the consultations are recorded in, as clinic-scheduling's UUIDv7 ids do (decision
 * 0040); random (v4) ids would cost Postgres about 2 µs more per line in the unique index.
 */
const consultationId = (i) => `00000000-0000-4000-8000-${hex(i, 12)}`;
const locationId = (l) => `10000000-0000-4000-8000-${hex(l, 12)}`;
const sessionId = (day, l) => `20000000-0000-4000-8000-${hex(day * LOCATIONS + l, 12)}`;
const agb = (base, n) => String(base + n).padStart(8, '0');
/** A valid BSN (11-check) per consultation: 8 digits from i, then the check digit that makes it pass. */
function bsnOf(i) {
  const d = String(10_000_000 + (i % 89_999_999)).padStart(8, '0').split('').map(Number);
  const sum = d.reduce((s, x, k) => s + x * (9 - k), 0);
  for (let last = 0; last <= 9; last += 1) if ((sum - last) % 11 === 0) return d.join('') + last;
  return null; // no check digit fits: this consultation has no BSN
}

function consultationOf(i, params, seedHash) {
  const r = crypto.createHash('sha256').update(`${seedHash}:${i}`).digest();
  // Week by week, as clinic-scheduling records them (the weekdays of a week in random order); or,
  // interleaved, each consultation in the next week: every batch's lines on every page of the table.
  const week = params.order === 'interleaved' ? i % params.weeks : Math.floor((i * params.weeks) / params.consultations);
  const day = r[0] % 5 + 7 * week;
  const l = r[1] % LOCATIONS;
  const bsn = r[2] < 204 ? bsnOf(i) : null; // ~80 % with a BSN
  const thirdCountry = bsn !== null && r[3] < 13; // ~5 % of those
  return {
    i,
    bsn,
    data: {
      consultationId: consultationId(i),
      sessionId: sessionId(day, l),
      centralLocationId: locationId(l),
      gpAgb: agb(1_000_000, r[4] % GPS),
      practiceAgb: agb(2_000_000, r[5] % PRACTICES),
      dateOfCare: new Date(FIRST_MONDAY + day * DAY).toISOString().slice(0, 10),
      performanceCode: CODES[r[6] % CODES.length],
      durationClass: r[7] % 2 ? 'regular' : 'long',
      payerStatus: { bsnKnown: bsn !== null, thirdCountryNational: thirdCountry },
      patientPseudonym: crypto.createHash('sha256').update(`patient:${i % 50_000}`).digest('hex'),
      walkIn: r[8] % 4 === 0,
    },
  };
}

const TARIFFS = JSON.parse(fs.readFileSync(path.join(ROOT, 'apps', 'declarations', 'src', 'modules', 'tariffs', 'tariffs.nl.json'), 'utf8')).tariffs;
/** The bundled tariff of a code for a payer on a date (the service must charge exactly this). */
function cents(code, payer, date) {
  const t = TARIFFS.find((x) => x.code === code && x.payer === payer && x.validFrom <= date && date <= x.validTo);
  if (!t) throw new Error(`no tariff for ${code} ${payer} ${date} in the bundled file`);
  return t.amountCents;
}
const payerOf = (d) => (d.payerStatus.thirdCountryNational ? 'CAK-OVV' : d.payerStatus.bsnKnown ? 'RMO' : 'CAK');

/** GET a URL and consume the body line by line without keeping it; resolves with headers and counts. */
function streamLines(url, headers, onLine) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
      }
      let rest = '';
      let bytes = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        bytes += chunk.length;
        const parts = (rest + chunk).split('\n');
        rest = parts.pop();
        for (const line of parts) onLine(line);
      });
      res.on('end', () => {
        if (rest) onLine(rest);
        resolve({ headers: res.headers, bytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function run({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const params = parameters();
  return runBounded({ totalTimeoutMs: params.totalTimeoutMs, log, work: (cleanup) => measure(params, cleanup, log) });
}

async function measure(params, cleanup, log) {
  const { infra, kafkaLine, kafkaVersion } = await throwawayInfrastructure({ cleanup, log });
  const kafkaPid = Number((/\(pid (\d+)/.exec(kafkaLine) || [])[1]) || null;
  const contracts = require('@draaiboek/contracts');
  const { sha256Hex, DataKeyEncryptor } = require('@draaiboek/platform');
  const { createKafka, provisionTopics, physicalTopic } = require('@draaiboek/messaging');
  const { Pool } = require('pg');
  const { from: copyFrom } = require('pg-copy-streams');
  if (!fs.existsSync(path.join(ROOT, SERVICE_MODULE))) throw new Error(`${SERVICE_MODULE} is missing: build first (bench/run.js does)`);

  const startedAt = new Date();
  const machine = machineInfo();
  const runId = crypto.randomBytes(4).toString('hex');
  const { checks, check } = checkList(log);
  const pool = new Pool({ connectionString: infra.databaseUrl, max: 2, application_name: 'draaiboek-bench' });
  cleanup.add('bench pool', () => pool.end());
  const q = async (sql, args = []) => (await pool.query(sql, args)).rows;

  const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 3072, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const apiKey = crypto.randomBytes(24).toString('base64url');
  const settings = { clientId: 'bench-clinic-scheduling', brokers: infra.kafkaBrokers.split(','), topicPrefix: `b${runId}.` };
  const topic = contracts.ConsultationRecorded.v1.topic;
  const kafka = createKafka(settings);
  await provisionTopics(kafka, settings, contracts.ALL_TOPICS);

  // ---- 1. produce ---------------------------------------------------------------------------
  const seedHash = String(params.seed);
  const encryptor = new DataKeyEncryptor(keys.publicKey, 'declarations-bench');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  cleanup.add('producer', () => producer.disconnect());
  let expectedCents = 0;
  let withBsn = 0;
  const produceStart = performance.now();
  for (let start = 0; start < params.consultations; start += params.kafkaBatch) {
    const messages = [];
    for (let i = start; i < Math.min(params.consultations, start + params.kafkaBatch); i += 1) {
      const c = consultationOf(i, params, seedHash);
      if (c.bsn) {
        c.data.encryptedBsn = encryptor.encrypt(c.bsn);
        withBsn += 1;
      }
      expectedCents += cents(c.data.performanceCode, payerOf(c.data), c.data.dateOfCare);
      const envelope = contracts.createEnvelope({ type: contracts.ConsultationRecorded.v1.type, source: '/draaiboek/clinic-scheduling', subject: c.data.consultationId, data: c.data });
      messages.push({ key: envelope.subject, value: JSON.stringify(envelope) });
    }
    await producer.send({ topic: physicalTopic(settings, topic), acks: -1, messages });
  }
  const produceMs = performance.now() - produceStart;
  log(`bench: produced ${fmt(params.consultations, 0)} consultations in ${fmt(produceMs / 1000, 1)} s`);

  // ---- 2. lines -----------------------------------------------------------------------------
  const env = {
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: settings.topicPrefix,
    LOG_LEVEL: 'error',
    API_KEYS: JSON.stringify([{ id: 'finance-bench', sha256: sha256Hex(apiKey), roles: ['finance', 'coordination'] }]),
    DECLARATIONS_PRIVATE_KEY: keys.privateKey,
    BATCH_CLOSE_INTERVAL_SECONDS: '86400',
    ...JSON.parse(process.env.BENCH_SERVICE_ENV || '{}'),
  };
  const pipelineStart = performance.now();
  const service = startServiceProcess({ label: 'declarations', modulePath: SERVICE_MODULE, exportName: 'declarationsService', options: { env, host: '127.0.0.1', port: 0 }, log });
  cleanup.add('declarations service', () => service.stop(), 40_000);
  const memory = memorySampler(service.pid);
  // Who was busy in each phase, in CPU seconds: wall times vary from run to run on this shared
  // machine, the CPU each part spends per consultation much less.
  const cpuGroups = {
    service: () => [service.pid],
    postgres: () => pidsNamed('postgres'),
    kafka: () => (kafkaPid ? [kafkaPid] : []),
    benchmark: () => [process.pid],
  };
  const cpuLines = cpuMeter(cpuGroups);
  const { url } = await service.ready;
  const readyMs = performance.now() - pipelineStart;
  const idleMiB = memory.now();
  // Done when the service has committed the offset of every consultation: it commits an offset
  // only after the record's line (or dead letter) is committed. Asking Kafka costs the database
  // nothing; a count(*) every 200 ms would scan up to a million rows each time, on the same cores
  // as the service. The checks below count the lines once.
  const admin = kafka.admin();
  await admin.connect();
  cleanup.add('admin', () => admin.disconnect());
  const committed = async () => {
    const [entry] = await admin.fetchOffsets({ groupId: `${settings.topicPrefix}declarations`, topics: [physicalTopic(settings, topic)] });
    return (entry ? entry.partitions : []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  };
  let lastReport = 0;
  await pollUntil(
    async () => {
      const n = await committed();
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        log(`bench: ${fmt(n, 0)} consultations done after ${fmt((performance.now() - pipelineStart) / 1000, 1)} s (service ${fmt(memory.now(), 0)} MiB)`);
      }
      return { done: n >= params.consultations, status: `${n} consultations committed` };
    },
    { intervalMs: 200, timeoutMs: params.totalTimeoutMs, what: `${params.consultations} consultations consumed` },
  );
  const linesMs = performance.now() - pipelineStart;
  const cpu = { lines: cpuLines.stop() };
  const linesPeakMiB = memory.stop();
  const memoryExport = memorySampler(service.pid);

  // ---- 3. batches ---------------------------------------------------------------------------
  const auth = { authorization: `Bearer ${apiKey}` };
  const batchesStart = performance.now();
  const cpuBatches = cpuMeter(cpuGroups);
  const closed = await httpRequest({ method: 'POST', url: `${url}/v1/batches/close`, body: '{}', headers: { ...auth, 'content-type': 'application/json' }, timeoutMs: 600_000 });
  if (closed.status !== 200 && closed.status !== 201) throw new Error(`close: HTTP ${closed.status} ${closed.text.slice(0, 300)}`);
  const batches = JSON.parse(closed.text).closed;
  const batchesMs = performance.now() - batchesStart;
  cpu.batches = cpuBatches.stop();

  // ---- 4. export ----------------------------------------------------------------------------
  const exportStart = performance.now();
  const cpuExport = cpuMeter(cpuGroups);
  let exportedRows = 0;
  let exportedBytes = 0;
  let wrongBsn = 0;
  let checksumMismatches = 0;
  // Which consultation each row is and the BSN it carries, checked after the clock stops: working
  // out the expected BSN per row here would take CPU from the service on the same cores.
  const rowConsultation = new Int32Array(params.consultations);
  const rowBsn = new Float64Array(params.consultations);
  // Exports whose rows do not match their batch, described when the check fails.
  const exportMismatches = [];
  for (const batch of batches) {
    const hash = crypto.createHash('sha256');
    let columns = null;
    const rowsBefore = exportedRows;
    const result = await streamLines(`${url}/v1/batches/${batch.batchId}/export?format=csv`, auth, (line) => {
      const cells = line.split(',');
      if (!columns) return void (columns = Object.fromEntries(cells.map((c, k) => [c, k])));
      const get = (name) => cells[columns[name]];
      hash.update(`${get('line_id')};${get('consultation_id')};${get('date_of_care')};${get('performance_code')};${get('amount_cents')}\n`);
      if (exportedRows < params.consultations) {
        rowConsultation[exportedRows] = parseInt(get('consultation_id').slice(24), 16);
        rowBsn[exportedRows] = get('bsn') ? Number(get('bsn')) : -1;
      }
      exportedRows += 1;
    });
    exportedBytes += result.bytes;
    const digest = hash.digest('hex');
    if (digest !== batch.checksum || result.headers['x-batch-checksum'] !== batch.checksum) checksumMismatches += 1;
    if (exportedRows - rowsBefore !== batch.lineCount || digest !== batch.checksum) {
      exportMismatches.push(`batch ${batch.batchId}: ${exportedRows - rowsBefore} rows for ${batch.lineCount} lines, ${fmt(result.bytes, 0)} bytes, checksum ${digest === batch.checksum ? 'equal' : 'different'}`);
    }
  }
  const exportMs = performance.now() - exportStart;
  cpu.export = cpuExport.stop();
  // CPU seconds of each process -> µs per consultation, per phase.
  const cpuPerConsultation = Object.fromEntries(
    Object.entries(cpu).map(([phase, c]) => [
      phase,
      { machineBusyPercent: c.machineBusyPercent, microsecondsPerConsultation: Object.fromEntries(Object.entries(c.cpuSeconds).map(([who, sec]) => [who, sec === null ? null : round((sec * 1e6) / params.consultations, 1)])) },
    ]),
  );
  for (const [phase, c] of Object.entries(cpuPerConsultation)) {
    log(`bench: cpu in ${phase}, µs per consultation: ${Object.entries(c.microsecondsPerConsultation).map(([who, us]) => `${who} ${fmt(us, 1)}`).join(', ')}; machine ${fmt(c.machineBusyPercent, 0)} % busy`);
  }
  const exportPeakMiB = memoryExport.stop();
  const seen = new Set();
  for (let r = 0; r < Math.min(exportedRows, params.consultations); r += 1) {
    const i = rowConsultation[r];
    seen.add(i);
    const bsn = consultationOf(i, params, seedHash).bsn;
    if (rowBsn[r] !== (bsn === null ? -1 : Number(bsn))) wrongBsn += 1;
  }

  // ---- checks -------------------------------------------------------------------------------
  // A line is batched when its batch is closed (lines are recorded into their open batch, decision 0030).
  const [state] = await q(`SELECT count(*)::int AS lines, count(*) FILTER (WHERE l.status = 'needs-attention')::int AS attention,
                                  count(*) FILTER (WHERE b.closed_at IS NULL)::int AS unbatched, coalesce(sum(l.amount_cents), 0)::bigint AS cents
                             FROM ${SCHEMA}.declaration_lines l LEFT JOIN ${SCHEMA}.declaration_batches b ON b.id = l.batch_id`);
  check('one line per consultation', state.lines === params.consultations, `${fmt(state.lines, 0)} lines for ${fmt(params.consultations, 0)} consultations`);
  check('every line has a tariff', state.attention === 0, `${state.attention} need attention`);
  check('every line in a batch', state.unbatched === 0 && batches.reduce((s, b) => s + b.lineCount, 0) === params.consultations, `${batches.length} batches, ${state.unbatched} lines outside`);
  check('totals in cents', Number(state.cents) === expectedCents && batches.reduce((s, b) => s + b.totalCents, 0) === expectedCents, `${fmt(expectedCents / 100, 2)} EUR`);
  if (exportedRows !== params.consultations || seen.size !== params.consultations) {
    // What the next person needs to find out why: which batches, and which consultations are missing with their lines.
    for (const m of exportMismatches) log(`bench: export mismatch: ${m}`);
    const missing = [];
    for (let i = 0; i < params.consultations && missing.length < 5; i += 1) if (!seen.has(i)) missing.push(consultationId(i));
    const lines = await q(`SELECT consultation_id::text, batch_id::text, date_of_care::text, created_at, encrypted_bsn IS NOT NULL AS bsn FROM ${SCHEMA}.declaration_lines WHERE consultation_id = ANY($1::uuid[])`, [missing]);
    log(`bench: not exported (first ${missing.length}): ${JSON.stringify(lines)}`);
  }
  check('every line exported once', exportedRows === params.consultations && seen.size === params.consultations, `${fmt(exportedRows, 0)} rows, ${fmt(seen.size, 0)} distinct`);
  check('export checksums equal the batches', checksumMismatches === 0, `${batches.length} batches`);
  check('BSNs decrypted as sent', wrongBsn === 0, `${fmt(withBsn, 0)} with a BSN, ${wrongBsn} wrong`);
  // A fresh broker's group coordinator may still be loading when the consumer joins: kafkajs logs a
  // crash and restarts the consumer by itself. Every other error line fails the run.
  const errors = service.errorLines().filter((l) => !/coordinator is loading|Restarting the consumer/.test(l));
  check('no error logged by the service', errors.length === 0, `${errors.length} errors`);

  // ---- baseline: raw COPY of the same rows --------------------------------------------------
  const { dataKeyIdOf } = require(path.join(ROOT, 'dist/out/apps/declarations/src/modules/bsn-keys/bsn-data-keys.js'));
  await q(`CREATE TABLE ${SCHEMA}.bench_copy (LIKE ${SCHEMA}.declaration_lines INCLUDING ALL)`);
  // The rows are made before the clock starts (the baseline is the database taking rows, not this
  // process encrypting them): CSV text in chunks of about 1 MiB, then only the COPY is timed.
  const copyChunks = [];
  let copyBytes = 0;
  {
    let parts = [];
    let size = 0;
    for (let i = 0; i < params.consultations; i += 1) {
      const c = consultationOf(i, params, seedHash);
      const d = c.data;
      const payer = payerOf(d);
      // A line keeps the BSN's IV, ciphertext and tag, and the id of its data key (decision 0035).
      const e = c.bsn ? encryptor.encrypt(c.bsn) : null;
      const bsn = e ? `"${JSON.stringify({ iv: e.iv, ciphertext: e.ciphertext, tag: e.tag }).replace(/"/g, '""')}",${dataKeyIdOf(e.encryptedKey)}` : ',';
      const row = `${crypto.randomUUID()},${d.consultationId},${d.sessionId},${d.centralLocationId},${d.gpAgb},${d.practiceAgb},${d.dateOfCare},${d.performanceCode},${d.durationClass},${payer},${payer},${cents(d.performanceCode, payer, d.dateOfCare)},bench,open,,${d.patientPseudonym},${bsn}\n`;
      parts.push(row);
      size += row.length;
      if (size >= 1 << 20 || i === params.consultations - 1) {
        const chunk = Buffer.from(parts.join(''), 'utf8');
        copyChunks.push(chunk);
        copyBytes += chunk.length;
        parts = [];
        size = 0;
      }
    }
  }
  const copyClient = await pool.connect();
  let copyMs;
  try {
    const stream = copyClient.query(
      copyFrom(`COPY ${SCHEMA}.bench_copy (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code, duration_class, payer, payer_scheme, amount_cents, tariff_version, status, problem, patient_pseudonym, encrypted_bsn, bsn_data_key_id) FROM STDIN WITH (FORMAT csv)`),
    );
    const copyStart = performance.now();
    await pipeline(Readable.from(copyChunks), stream);
    copyMs = performance.now() - copyStart;
  } finally {
    copyClient.release();
  }
  copyChunks.length = 0;
  const [{ copied }] = await q(`SELECT count(*)::int AS copied FROM ${SCHEMA}.bench_copy`);
  check('baseline copied every row', copied === params.consultations, `${fmt(copied, 0)} rows`);

  const pipelineMs = linesMs + batchesMs + exportMs;
  const peakMiB = Math.max(linesPeakMiB, exportPeakMiB);
  const versions = stackVersions({ kafkaVersion, postgresVersion: (await q('SELECT version() AS v'))[0].v });
  const perSecond = (n, ms) => round((n * 1000) / ms, 0);
  const ratio = (a, b) => (b ? round(a / b, 2) : null);
  const copyRate = perSecond(params.consultations, copyMs);
  const measures = [
    { key: 'lines', label: 'Consultations -> lines (service start included)', value: perSecond(params.consultations, linesMs), unit: 'lines/s', seconds: linesMs / 1000 },
    { key: 'batches', label: 'Lines -> batches (close by hand)', value: perSecond(params.consultations, batchesMs), unit: 'lines/s', seconds: batchesMs / 1000 },
    { key: 'export', label: 'Batches -> CSV export (BSNs decrypted)', value: perSecond(params.consultations, exportMs), unit: 'lines/s', seconds: exportMs / 1000 },
    { key: 'pipeline', label: 'Whole pipeline: lines + batches + export', value: perSecond(params.consultations, pipelineMs), unit: 'lines/s', seconds: pipelineMs / 1000 },
  ].map((m) => ({ ...m, baseline: { label: 'raw COPY of the same rows', value: copyRate, unit: 'rows/s', seconds: copyMs / 1000 }, ratio: ratio(m.value, copyRate) }));

  return {
    benchmark: NAME,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    params,
    machine,
    versions,
    infrastructure: infra.describe,
    measures,
    details: {
      produceMs: round(produceMs, 0),
      readyMs: round(readyMs, 0),
      withBsn,
      batches: batches.length,
      exportedMiB: round(exportedBytes / 1048576, 1),
      copiedMiB: round(copyBytes / 1048576, 1),
      memory: { idleMiB: round(idleMiB, 0), linesPeakMiB: round(linesPeakMiB, 0), exportPeakMiB: round(exportPeakMiB, 0), peakMiB: round(peakMiB, 0) },
      cpu: cpuPerConsultation,
      targets: { pipelineSeconds: 60, peakMiB: 512, pipelineMet: pipelineMs < 60_000, memoryMet: peakMiB < 512 },
    },
    checks,
  };
}

function ratioText(m) {
  return m.ratio === null || m.ratio === undefined ? 'n/a' : `${fmt(m.ratio, 2)}×`;
}

function markdown(result) {
  const { params: p, machine: m, versions: v, details: d } = result;
  const whole = result.measures.find((x) => x.key === 'pipeline');
  const lines = [
    `_Generated by \`npm run bench -- ${NAME}\` on ${result.finishedAt.slice(0, 10)} (commit ${v.git}); the next run rewrites this section, except the hand-written part under "${HAND_WRITTEN_MARKER.replace(/^#+ /, '')}"._`,
    '',
    `${fmt(p.consultations, 0)} ConsultationRecorded events (${fmt(d.withBsn, 0)} with an encrypted BSN, ${p.weeks} weeks ${p.order === 'interleaved' ? 'interleaved: each consultation in the next week' : 'one after the other, as they are recorded'}, 3 payers) on a local Apache Kafka broker, consumed by the declarations service in its own Node process into one line each, closed into ${d.batches} batches (payer × week) and exported as CSV with the BSNs decrypted (${fmt(d.exportedMiB, 1)} MiB). Baseline: a raw \`COPY\` of the same rows (${fmt(d.copiedMiB, 1)} MiB of CSV, made before its clock starts) into a table of the same shape (\`LIKE declaration_lines INCLUDING ALL\`), same database, same run. Ratio = service ÷ baseline.`,
    '',
    '| Phase | Time | Rate | Baseline (same run) | Ratio |',
    '| --- | ---: | ---: | --- | ---: |',
    ...result.measures.map((x) => `| ${x.label} | ${fmt(x.seconds, 1)} s | ${fmt(x.value, 0)} ${x.unit} | ${x.baseline.label}: ${fmt(x.baseline.seconds, 1)} s, ${fmt(x.baseline.value, 0)} ${x.baseline.unit} | ${ratioText(x)} |`),
    '',
    `- **Targets (issue 6, for 1,000,000 consultations):** whole pipeline under 60 s: ${fmt(whole.seconds, 1)} s, ${p.consultations !== 1_000_000 ? `not judged (this run had ${fmt(p.consultations, 0)})` : d.targets.pipelineMet ? 'met' : '**not met**'}; service under 512 MiB resident: peak ${d.memory.peakMiB} MiB (${d.memory.linesPeakMiB} MiB while consuming, ${d.memory.exportPeakMiB} MiB while exporting; ${d.memory.idleMiB} MiB at start), ${d.targets.memoryMet ? 'met' : '**not met**'}.`,
    `- Producing the events (not in the pipeline time): ${fmt(d.produceMs / 1000, 1)} s; the service was ready ${fmt(d.readyMs / 1000, 1)} s after its fork (included in the lines phase).`,
    `- CPU per consultation, µs (all processes on the machine's ${m.cores} cores; "other" is the kernel and everything else): ${Object.entries(d.cpu)
      .map(([phase, c]) => `${phase}: ${Object.entries(c.microsecondsPerConsultation).map(([who, us]) => `${who} ${fmt(us, 1)}`).join(', ')} (machine ${fmt(c.machineBusyPercent, 0)} % busy)`)
      .join('; ')}.`,
    `- Checks passed: ${result.checks.map((c) => c.name).join('; ')}.`,
    '',
    '**Machine and versions**',
    '',
    `- ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB RAM, ${m.platform}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
    `- Node ${v.node}, Apache Kafka ${v.kafka}, kafkajs ${v.kafkajs}, pg ${v.pg}, NestJS ${v.nestjs}, TypeORM ${v.typeorm}; ${v.postgres}.`,
  ];
  const kept = handWrittenPart(DOCS_FILE, DOCS_SECTION, HAND_WRITTEN_MARKER);
  if (kept) lines.push('', kept);
  return lines.join('\n');
}

function tableRows(result) {
  return [
    ...result.measures.map((x) => ({ measure: x.label, value: `${fmt(x.seconds, 1)} s, ${fmt(x.value, 0)} ${x.unit}`, baseline: `${fmt(x.baseline.seconds, 1)} s (${x.baseline.label})`, ratio: ratioText(x) })),
    { measure: 'Service resident memory, peak', value: `${result.details.memory.peakMiB} MiB`, baseline: 'target 512 MiB', ratio: '' },
  ];
}

module.exports = {
  name: NAME,
  title: 'Declarations: consultations -> lines -> batches -> export, beside a raw COPY',
  docsSection: DOCS_SECTION,
  run,
  markdown,
  tableRows,
};
