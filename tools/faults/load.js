'use strict';
// The fault suite's load: arrivals over intake's HTTP API, headcount changes per group in order,
// and consultation hours at a central location (clinic-scheduling -> declarations). Every
// idempotent request (an arrival by its reference, a change by its changeReference) is repeated
// until it is acknowledged, whatever the fault of the moment; the ledger records what was
// acknowledged, which is what the checker expects to find.

const http = require('node:http');
const { randomUUID } = require('node:crypto');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A socket timeout lets Node honour the servers' `Keep-Alive: timeout=5` (it frees an idle socket a
// second before), instead of reusing one the server is closing (ECONNRESET).
const agent = new http.Agent({ keepAlive: true, maxSockets: 16, timeout: 30_000 });

/** One JSON request to 127.0.0.1; resolves { status, body } or rejects on a network error. */
function request(method, url, body, headers = {}, timeoutMs = 15_000) {
  const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method,
        timeout: timeoutMs,
        headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}

/**
 * Repeats an idempotent request until it gets one of `accept` (a fault may refuse the
 * connection, answer 5xx, or cut the answer off after the commit). `urlOf()` is asked again on
 * every attempt: a restarted service listens on a new port.
 */
async function untilAccepted({ method, urlOf, body, headers, accept, stats, deadline }) {
  for (let attempt = 1; ; attempt++) {
    let outcome;
    try {
      const url = urlOf();
      if (url) {
        const response = await request(method, url, body, headers);
        if (accept.includes(response.status)) return response;
        outcome = `HTTP ${response.status}`;
        if (response.status === 500) stats.internalErrors += 1;
        if (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408) {
          throw new Error(`${method} ${url} refused: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
        }
      } else {
        outcome = 'service down';
      }
    } catch (error) {
      if (/refused: HTTP/.test(error.message)) throw error;
      outcome = error.code || error.message;
    }
    stats.retries += 1;
    stats.retryReasons[outcome] = (stats.retryReasons[outcome] || 0) + 1;
    if (Date.now() > deadline) throw new Error(`${method} not accepted before the deadline (last: ${outcome})`);
    await sleep(Math.min(2000, 100 * attempt));
  }
}

/**
 * Drives the load until `shouldStop()` says so and at least `arrivals` were acknowledged.
 * urls(): { intake, clinic } of the instances running now (undefined while one is down).
 */
function startLoad({ urls, keys, arrivals, ratePerSecond, concurrency, changesEvery, sessionEvery, centralLocationId, runId, deadlineMs, log }) {
  const ledger = { groups: [], sessions: [], ambiguousSessions: 0 };
  const stats = { retries: 0, retryReasons: {}, requests: 0, internalErrors: 0 };
  let next = 0;
  let stopRequested = false;
  const started = Date.now();
  const deadline = started + deadlineMs;
  const intakeHeaders = { authorization: `Bearer ${keys.municipality}` };
  const clinicHeaders = { authorization: `Bearer ${keys.coordination}` };

  async function oneArrival(i) {
    const reference = `FLT-${runId}-${String(i).padStart(6, '0')}`;
    const headcount = 10 + (i % 190);
    const group = { reference, groupId: null, headcounts: [headcount] };
    const arrival = await untilAccepted({
      method: 'POST',
      urlOf: () => urls().intake && `${urls().intake}/v1/arrivals`,
      headers: intakeHeaders,
      body: {
        reference,
        municipalityCode: 'GM0114',
        location: { name: `AZC Emmen ${i % 7}`, postcode: '7811 AA', kind: 'reception-centre' },
        headcount,
        arrivalDate: '2026-11-20',
      },
      accept: [202],
      stats,
      deadline,
    });
    stats.requests += 1;
    group.groupId = arrival.body.groupId;
    ledger.groups.push(group);
    // Every changesEvery-th group changes size twice, in this order (order per group).
    if (changesEvery && i % changesEvery === 0) {
      for (const [n, size] of [headcount + 5, headcount + 3].entries()) {
        await untilAccepted({
          method: 'POST',
          urlOf: () => urls().intake && `${urls().intake}/v1/groups/${group.groupId}/headcount-changes`,
          headers: intakeHeaders,
          body: { changeReference: `${reference}-c${n + 1}`, headcount: size, effectiveDate: '2026-11-25' },
          accept: [202],
          stats,
          deadline,
        });
        stats.requests += 1;
        group.headcounts.push(size);
      }
    }
    if (sessionEvery && i % sessionEvery === 0) await oneSession(i);
  }

  /** Not idempotent: repeated only when the request surely did not arrive (connection refused). */
  async function oneSession(i) {
    const day = new Date(Date.now() + (1 + Math.floor(i / sessionEvery)) * 86_400_000).toISOString().slice(0, 10);
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      const url = urls().clinic;
      if (!url) {
        await sleep(200);
        continue;
      }
      try {
        const response = await request('POST', `${url}/v1/central-locations/${centralLocationId}/sessions`, { date: day, startTime: '09:00', endTime: '11:00', capacity: 16 }, clinicHeaders);
        stats.requests += 1;
        if (response.status === 201) {
          ledger.sessions.push(response.body.id);
          return;
        }
        if (response.status >= 500) {
          if (response.status === 500) stats.internalErrors += 1;
          ledger.ambiguousSessions += 1; // may or may not have committed: the checker uses the database
          return;
        }
        throw new Error(`session refused: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
      } catch (error) {
        if (error.code === 'ECONNREFUSED') {
          stats.retries += 1;
          await sleep(Math.min(2000, 100 * attempt));
          continue;
        }
        if (/session refused/.test(error.message)) throw error;
        ledger.ambiguousSessions += 1;
        return;
      }
    }
  }

  // Pace: one arrival per 1/rate s at most. Slots missed during a fault are not made up for
  // afterwards (a burst after each outage would be a different test).
  let nextSlot = started;
  async function worker() {
    for (;;) {
      if (next >= arrivals && stopRequested) return;
      const i = next++;
      const slot = Math.max(Date.now(), nextSlot);
      nextSlot = slot + 1000 / ratePerSecond;
      if (slot > Date.now()) await sleep(slot - Date.now());
      await oneArrival(i);
    }
  }

  const workers = Array.from({ length: concurrency }, () => worker());
  const done = Promise.all(workers).then(() => {
    log(`load: ${ledger.groups.length} arrivals, ${ledger.sessions.length} sessions acknowledged in ${((Date.now() - started) / 1000).toFixed(0)} s (${stats.retries} repeats)`);
    return { ledger, stats };
  });
  done.catch(() => undefined);
  return {
    ledger,
    stats,
    sent: () => ledger.groups.length,
    /** Ask the load to end once `arrivals` are acknowledged; resolves with { ledger, stats }. */
    finish() {
      stopRequested = true;
      return done;
    },
  };
}

module.exports = { startLoad, request, untilAccepted, newRunId: () => randomUUID().slice(0, 8) };
