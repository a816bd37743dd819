'use strict';
/**
 * Roster solver benchmark (clinic-scheduling, rule 7): how fast `solveRoster` is and how evenly
 * it spreads the burden, beside two baselines measured in the same run:
 *
 *   a. Province: 300 GPs, 10 central locations (Gelderland), 13 weeks of weekday sessions
 *      09:00-11:00 Europe/Amsterdam, 2 GP slots each: solve time (median of N runs), spread,
 *      standard deviation, unfilled. Target: under 2 s.
 *   b. Country: 13,000 GPs, 500 locations, same pattern. Target: under 60 s. The run is
 *      stopped after BENCH_ROSTER_COUNTRY_LIMIT_MS (5 minutes) and reported as such.
 *   c. Baseline for a and b: round-robin over the GPs within reach, in AGB order, with the same
 *      hard rules (bench/lib/roster/baseline.js): what the fairness figures look like when
 *      nobody tries.
 *   d. Small instances (60 GPs, 4 weeks, 2-3 locations; several seeds): the exact optimum from a
 *      MILP solved by HiGHS (bench/lib/roster/exact.js) for the same objective, and the
 *      heuristic's gap to it. Objective: fill as many slots as possible, then minimise the sum
 *      of squared final burdens over ALL GPs (= minimise their standard deviation, the mean
 *      being fixed); the spread (max - min) is optimised and reported too. Target: gap < 1 %.
 *
 * Every roster is checked against the hard rules by bench/lib/roster/evaluate.js, not by the
 * solver, and the fairness figures are computed there from the assignments (unrounded).
 * Instances are generated from fixed seeds (bench/lib/roster/instances.js): every run solves the
 * same rosters. Each task runs in a child process of its own with a time limit.
 *
 * Run with `npm run bench -- roster-solver` (bench/run.js builds, prints the table, writes
 * bench/results/roster-solver-<timestamp>.json and the "## Roster" section of
 * docs/benchmarks.md), or `node bench/roster-solver.js` (builds, prints the section, writes
 * nothing). Knobs (env): BENCH_ROSTER_PROVINCE_RUNS (3), BENCH_ROSTER_SEEDS (5),
 * BENCH_ROSTER_MILP_SECONDS (60, per MILP stage), BENCH_ROSTER_COUNTRY_LIMIT_MS (300000),
 * BENCH_ROSTER_COUNTRY (1; 0 skips the country), BENCH_ROSTER_PROFILE (1; 0 skips the CPU
 * profile of the country solve).
 */

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { fork, execFileSync, spawnSync } = require('node:child_process');

const { envInt, formatNumber: fmt, machineInfo } = require('./lib/util');

const ROOT = path.resolve(__dirname, '..');
const WORKER = path.join(__dirname, 'lib', 'roster', 'worker.js');
const SOLVER_TS = 'apps/clinic-scheduling/src/modules/roster/domain/roster-solver.ts';
const NOTES = path.join(__dirname, 'lib', 'roster', 'notes.md');

/** V8 flag for the profiled run: without inlining, the profiler charges each function its own time. */
const PROFILE_ARGV = ['--no-turbo-inlining'];

const TARGETS = { provinceMs: 2000, countryMs: 60_000, gapPercent: 1 };

function parameters() {
  return {
    provinceRuns: envInt('BENCH_ROSTER_PROVINCE_RUNS', 3, { max: 50 }),
    seeds: envInt('BENCH_ROSTER_SEEDS', 5, { max: 50 }),
    milpSeconds: envInt('BENCH_ROSTER_MILP_SECONDS', 60, { max: 3600 }),
    countryLimitMs: envInt('BENCH_ROSTER_COUNTRY_LIMIT_MS', 300_000),
    country: envInt('BENCH_ROSTER_COUNTRY', 1, { min: 0, max: 1 }) === 1,
    profile: envInt('BENCH_ROSTER_PROFILE', 1, { min: 0, max: 1 }) === 1,
  };
}

// ---------------------------------------------------------------------------
// Running one task in a child process, bounded
// ---------------------------------------------------------------------------

/**
 * Forks bench/lib/roster/worker.js, sends it `message`, waits at most `timeoutMs`. A child still
 * running then is killed (by its own pid) and { timedOut: true } comes back.
 */
function runTask(message, { timeoutMs, execArgv = [] }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = fork(WORKER, [], { cwd: ROOT, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const finish = (value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...value, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      finish({ timedOut: true, error: `stopped after ${timeoutMs} ms (time limit)` });
    }, timeoutMs);
    child.on('message', (m) => finish(m.ok ? { result: m.result } : { error: m.error }));
    child.on('error', (error) => finish({ error: error.message }));
    child.on('exit', (code, signal) => finish({ error: `worker exited (${signal || code}) without an answer` }));
    child.send(message);
  });
}

function must(outcome, what) {
  if (outcome.result) return outcome.result;
  throw new Error(`${what}: ${outcome.error}`);
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

async function run({ log = (l) => process.stderr.write(`${l}\n`) } = {}) {
  const params = parameters();
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const versions = { node: process.version, highs: packageVersion('highs'), git: gitDescribe(), solver: solverVersion() };
  const heavyArgv = []; // the default heap (4 GiB here) holds the country (about 0.9 GiB at its peak)

  log(`province: ${params.provinceRuns} run(s) of 300 GPs x 1,300 slots...`);
  const province = must(await runTask({ task: 'heuristic', kind: 'province', seed: 1, runs: params.provinceRuns }, { timeoutMs: 120_000 + params.provinceRuns * 10_000 }), 'province');
  log(`  median ${fmt(province.medianMs, 0)} ms; without the improvement pass...`);
  const provinceGreedy = must(await runTask({ task: 'heuristic', kind: 'province', seed: 1, runs: params.provinceRuns, rules: { improvementRounds: 0 } }, { timeoutMs: 120_000 + params.provinceRuns * 10_000 }), 'province, improvementRounds 0');
  log('  round-robin baseline...');
  const provinceBaseline = must(await runTask({ task: 'baseline', kind: 'province', seed: 1 }, { timeoutMs: 120_000 }), 'province baseline');

  let country = null;
  let countryBaseline = null;
  let countryProfile = null;
  let countryGreedy = null;
  if (params.country) {
    log(`country: 13,000 GPs x 65,000 slots (stopped after ${params.countryLimitMs / 1000} s)...`);
    const outcome = await runTask({ task: 'heuristic', kind: 'country', seed: 1, runs: 1 }, { timeoutMs: params.countryLimitMs, execArgv: heavyArgv });
    if (outcome.timedOut) {
      country = { timedOut: true, limitMs: params.countryLimitMs, elapsedMs: outcome.elapsedMs };
      log(`  stopped: no roster after ${params.countryLimitMs / 1000} s`);
    } else {
      country = must(outcome, 'country');
      log(`  ${fmt(country.medianMs / 1000, 1)} s`);
    }
    log('  without the improvement pass (improvementRounds 0)...');
    const g = await runTask({ task: 'heuristic', kind: 'country', seed: 1, runs: 1, rules: { improvementRounds: 0 } }, { timeoutMs: params.countryLimitMs, execArgv: heavyArgv });
    countryGreedy = g.timedOut ? { timedOut: true, limitMs: params.countryLimitMs } : must(g, 'country, improvementRounds 0');
    log('  round-robin baseline...');
    const b = await runTask({ task: 'baseline', kind: 'country', seed: 1 }, { timeoutMs: params.countryLimitMs, execArgv: heavyArgv });
    countryBaseline = b.timedOut ? { timedOut: true, limitMs: params.countryLimitMs } : must(b, 'country baseline');
    if (params.profile && !country.timedOut) {
      log('  CPU profile of one more country solve (inlining off, so that time lands on the function that spends it)...');
      const p = await runTask({ task: 'heuristic', kind: 'country', seed: 1, runs: 0, profile: true }, { timeoutMs: params.countryLimitMs * 1.5, execArgv: [...heavyArgv, ...PROFILE_ARGV] });
      countryProfile = p.result ? p.result.profile : { error: p.error };
    }
  }

  const small = [];
  for (let seed = 1; seed <= params.seeds; seed++) {
    log(`small instance, seed ${seed}: heuristic, round-robin, exact MILP (HiGHS, ${params.milpSeconds} s per stage at most)...`);
    const outcome = await runTask({ task: 'small', seed, timeLimitSeconds: params.milpSeconds }, { timeoutMs: (3 * params.milpSeconds + 60) * 1000 });
    small.push(outcome.result ? outcome.result : { seed, error: outcome.error });
  }
  if (small[0] && small[0].highs) versions.highsSolver = small[0].highs;

  const result = {
    name: 'roster-solver',
    startedAt,
    finishedAt: new Date().toISOString(),
    params,
    targets: TARGETS,
    machine,
    versions,
    province: { ...province, baseline: provinceBaseline, noImprovement: provinceGreedy },
    country: country && { ...country, baseline: countryBaseline, noImprovement: countryGreedy, profile: countryProfile },
    small: small.map(withGaps),
  };
  result.verdicts = verdicts(result);
  return result;
}

/** Gaps of the heuristic (and of the baselines) to the exact optimum, per small instance. */
function withGaps(s) {
  if (s.error || !s.exact || s.exact.error) return s;
  const e = s.exact;
  const optSd = e.sumsq.stdDev;
  const optProven = e.sumsq.status === 'optimal';
  const rel = (v, opt) => {
    if (!(opt > 0)) return null;
    const g = (100 * (v - opt)) / opt;
    return Math.abs(g) < 1e-9 ? 0 : g; // equal up to rounding
  };
  const sameFill = (x) => x.filled === e.filled;
  return {
    ...s,
    gaps: {
      optimumProven: optProven && e.spread.status === 'optimal',
      stdDevPercent: sameFill(s.heuristic) ? rel(s.heuristic.stats.stdDev, optSd) : null,
      stdDevPercentUpperBound: sameFill(s.heuristic) && e.sumsq.stdDevBound ? rel(s.heuristic.stats.stdDev, e.sumsq.stdDevBound) : null,
      stdDevNoDistancePercent: sameFill(s.heuristicNoDistance) ? rel(s.heuristicNoDistance.stats.stdDev, optSd) : null,
      stdDevNoImprovementPercent: s.heuristicNoImprovement && sameFill(s.heuristicNoImprovement) ? rel(s.heuristicNoImprovement.stats.stdDev, optSd) : null,
      stdDevRoundRobinPercent: sameFill(s.roundRobin) ? rel(s.roundRobin.stats.stdDev, optSd) : null,
      spreadAbs: s.heuristic.stats.spread - e.spread.objective,
      spreadPercent: rel(s.heuristic.stats.spread, e.spread.objective),
      spreadRoundRobinAbs: s.roundRobin.stats.spread - e.spread.objective,
      heuristicFilledAll: sameFill(s.heuristic),
    },
  };
}

function verdicts(r) {
  const out = [];
  out.push({
    target: `Province (300 GPs, 1,300 slots) under ${TARGETS.provinceMs / 1000} s`,
    met: r.province.medianMs < TARGETS.provinceMs,
    figure: `${fmt(r.province.medianMs, 0)} ms (median of ${r.province.timesMs.length})`,
  });
  if (r.country) {
    out.push({
      target: `Country (13,000 GPs, 65,000 slots) under ${TARGETS.countryMs / 1000} s`,
      met: !r.country.timedOut && r.country.medianMs < TARGETS.countryMs,
      figure: r.country.timedOut ? `no roster: stopped after ${r.country.limitMs / 1000} s` : `${fmt(r.country.medianMs / 1000, 1)} s (1 run)`,
    });
  } else {
    out.push({ target: `Country under ${TARGETS.countryMs / 1000} s`, met: null, figure: 'not run (BENCH_ROSTER_COUNTRY=0)' });
  }
  const gaps = r.small.map((s) => (s.gaps ? s.gaps.stdDevPercent : null));
  const proven = r.small.every((s) => s.gaps && s.gaps.optimumProven);
  const worst = gaps.every((g) => g !== null) ? Math.max(...gaps) : null;
  out.push({
    target: `Gap to the exact optimum under ${TARGETS.gapPercent} % (standard deviation of final burden, ${r.small.length} small instances)`,
    met: worst !== null && proven ? worst < TARGETS.gapPercent : worst === null ? false : null,
    figure: worst === null ? 'not measured on every seed (see table)' : `worst ${fmt(worst, 2)} %${proven ? '' : ' (some optimum not proven: see table)'}`,
  });
  return out;
}

// ---------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------

function packageVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function gitDescribe() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', timeout: 5000 }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', timeout: 5000 }).trim();
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

/** The solver source the figures belong to: a hash of roster-solver.ts and its last commit. */
function solverVersion() {
  let hash = 'unknown';
  let commit = 'unknown';
  try {
    hash = crypto.createHash('sha256').update(fs.readFileSync(path.join(ROOT, SOLVER_TS))).digest('hex').slice(0, 12);
  } catch {
    // missing
  }
  try {
    commit = execFileSync('git', ['log', '-1', '--format=%h', '--', SOLVER_TS], { cwd: ROOT, encoding: 'utf8', timeout: 5000 }).trim() || 'uncommitted';
  } catch {
    // no git
  }
  return { sha256: hash, lastCommit: commit };
}

// ---------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------

const h = (v, d = 2) => (v === null || v === undefined ? 'n/a' : `${fmt(v, d)} h`);
const pct = (v, d = 2) => (v === null || v === undefined ? 'n/a' : `${fmt(v, d)} %`);
const yes = (met) => (met === null ? 'not measured' : met ? '**met**' : '**missed**');

function speedRows(r) {
  const rows = [];
  const add = (instance, who, time, e, target) =>
    rows.push({
      instance,
      solver: who,
      time,
      filled: e ? `${fmt(e.filled, 0)} / ${fmt(e.filled + e.unfilled, 0)}` : 'n/a',
      unfilled: e ? fmt(e.unfilled, 0) : 'n/a',
      spread: e ? h(e.stats.spread) : 'n/a',
      stdDev: e ? h(e.stats.stdDev) : 'n/a',
      mean: e ? h(e.stats.mean) : 'n/a',
      target: target || '',
    });
  const p = r.province;
  add('Province', 'solveRoster', `${fmt(p.medianMs, 0)} ms (median of ${p.timesMs.length}: ${p.timesMs.map((t) => fmt(t, 0)).join(', ')})`, p.heuristic, `< 2 s: ${yes(r.verdicts[0].met)}`);
  if (p.noImprovement) add('Province', 'solveRoster without improvement pass (improvementRounds 0)', `${fmt(p.noImprovement.medianMs, 0)} ms (median of ${p.noImprovement.timesMs.length})`, p.noImprovement.heuristic);
  add('Province', 'round-robin baseline', `${fmt(p.baseline.ms, 0)} ms`, p.baseline.roundRobin);
  add('Province', 'before the roster (no new shifts)', '', { filled: 0, unfilled: p.instance.slots, stats: p.instance.initial });
  const c = r.country;
  if (c) {
    if (c.timedOut) add('Country', 'solveRoster', `stopped after ${fmt(c.limitMs / 1000, 0)} s`, null, `< 60 s: ${yes(false)}`);
    else add('Country', 'solveRoster', `${fmt(c.medianMs / 1000, 1)} s (1 run)`, c.heuristic, `< 60 s: ${yes(r.verdicts[1].met)}`);
    if (c.noImprovement) {
      if (c.noImprovement.timedOut) add('Country', 'solveRoster without improvement pass (improvementRounds 0)', `stopped after ${fmt(c.noImprovement.limitMs / 1000, 0)} s`, null);
      else add('Country', 'solveRoster without improvement pass (improvementRounds 0)', `${fmt(c.noImprovement.medianMs / 1000, 1)} s (1 run)`, c.noImprovement.heuristic);
    }
    if (c.baseline && !c.baseline.timedOut) add('Country', 'round-robin baseline', `${fmt(c.baseline.ms / 1000, 1)} s`, c.baseline.roundRobin);
    if (c.instance) add('Country', 'before the roster (no new shifts)', '', { filled: 0, unfilled: c.instance.slots, stats: c.instance.initial });
  }
  return rows;
}

function okExactList(r) {
  return r.small.filter((s) => s.exact && !s.exact.error && s.gaps);
}

function tableRows(result) {
  const rows = speedRows(result).map((x) => ({ instance: x.instance, solver: x.solver, time: x.time, unfilled: x.unfilled, spread: x.spread, stdDev: x.stdDev, target: x.target.replace(/\*/g, '') }));
  for (const s of result.small) {
    if (!s.gaps) {
      rows.push({ instance: `Small #${s.seed}`, solver: 'exact MILP', time: 'n/a', unfilled: 'n/a', spread: 'n/a', stdDev: 'n/a', target: s.error || (s.exact && s.exact.error) || 'no gap' });
      continue;
    }
    rows.push({
      instance: `Small #${s.seed}`,
      solver: 'solveRoster vs exact',
      time: `${fmt(s.heuristicMs, 1)} ms vs ${fmt(s.exactMs / 1000, 1)} s`,
      unfilled: fmt(s.heuristic.unfilled, 0),
      spread: `${h(s.heuristic.stats.spread)} vs ${h(s.exact.spread.objective)}`,
      stdDev: `${h(s.heuristic.stats.stdDev, 3)} vs ${h(s.exact.sumsq.stdDev, 3)}`,
      target: `gap ${pct(s.gaps.stdDevPercent)}`,
    });
  }
  return rows;
}

function markdown(r) {
  const p = r.province;
  const c = r.country;
  const v = r.versions;
  const m = r.machine;
  const lines = [];
  lines.push(
    `_Generated by \`npm run bench -- roster-solver\` on ${r.finishedAt.slice(0, 10)} (commit ${v.git}; \`roster-solver.ts\` sha256 ${v.solver.sha256}, last changed in ${v.solver.lastCommit}); the next run rewrites this section._`,
    '',
    `\`solveRoster\` (\`${SOLVER_TS}\`) on generated rosters: GPs in practices of 1-4 around real Dutch towns (75 % in town, 25 % in the countryside around it), central locations in the largest towns, a session every weekday 09:00-11:00 Europe/Amsterdam with 2 GP slots, 13 weeks from Monday 1 March 2027 (March-May, across the switch to summer time). Per GP: caseload 0-20 hour-equivalents per FTE (skewed: most practices little, a few a lot; one value per practice), 0-10 hours already worked, 2-6 shifts a month at most, 25-60 km travel at most, ${fmt((100 * p.instance.gpsWithUnavailablePeriod) / p.instance.gps, 0)} % with an unavailable fortnight and ${fmt((100 * p.instance.gpsWithSomeWeekdaysOnly) / p.instance.gps, 0)} % with only 2-4 weekdays (province; the country is drawn the same way). Rules: minRestHours 11, distanceWeightPerKm 0.05. Fixed seeds: every run solves the same rosters (\`bench/lib/roster/instances.js\`).`,
    '',
    'Fairness is measured **over all GPs of the region**, those who get no shift included: final burden = caseload + hours worked + hours assigned, its spread (max − min) and standard deviation. Every roster is checked against the hard rules by the benchmark itself (`bench/lib/roster/evaluate.js`), not by the solver, and the figures are computed there from the assignments, unrounded. The round-robin baseline gives each slot to the next GP within reach in AGB order who may work it (same hard rules, no burden, no distance): what the figures look like when nobody tries.',
    '',
    '| Instance | Solver | Solve time | Filled / slots | Unfilled | Spread | Std dev | Mean burden | Target |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const x of speedRows(r)) lines.push(`| ${x.instance} | ${x.solver} | ${x.time} | ${x.filled} | ${x.unfilled} | ${x.spread} | ${x.stdDev} | ${x.mean} | ${x.target} |`);
  lines.push('');
  const desc = (d) =>
    `${d.region}: ${fmt(d.gps, 0)} GPs in ${fmt(d.practices, 0)} practices, ${fmt(d.locations, 0)} locations, ${fmt(d.slots, 0)} slots (${fmt(d.slotHours, 0)} h); GPs within reach of a location: median ${fmt(d.gpsWithinReachPerLocation.median, 0)} (${fmt(d.gpsWithinReachPerLocation.min, 0)}-${fmt(d.gpsWithinReachPerLocation.max, 0)}); ${fmt(d.gpsOutOfReachOfEveryLocation, 0)} GPs out of reach of every location`;
  const busy = (x) => {
    const u = x && x.cpuWhileTimed;
    if (!u || u.machineBusyPercent === null || u.ownSeconds < 2) return ''; // too short for /proc/stat's 10 ms ticks
    const disturbed = u.otherSeconds > 0.5 && u.otherSeconds > 0.15 * u.ownSeconds;
    return ` During the timed solve(s): machine ${fmt(u.machineBusyPercent, 0)} % busy (of ${m.cores} cores), the solver ${fmt(u.ownSeconds, 1)} CPU-s, everything else ${fmt(u.otherSeconds, 1)} CPU-s${disturbed ? ' (**disturbed**: other work shared the machine)' : ''}.`;
  };
  lines.push(`- Province: ${desc(p.instance)}. Roster valid: ${p.heuristic.violations === 0 ? 'yes' : `**no, ${p.heuristic.violations} violations**`}; the solver's own stats agree with the benchmark's: ${p.solverFiguresAgree ? 'yes' : '**no**'}. Peak memory of the process: ${fmt(p.maxRssMiB, 0)} MiB.${busy(p)}`);
  if (c && !c.timedOut) {
    lines.push(`- Country: ${desc(c.instance)}. Roster valid: ${c.heuristic.violations === 0 ? 'yes' : `**no, ${c.heuristic.violations} violations**`}; the solver's own stats agree: ${c.solverFiguresAgree ? 'yes' : '**no**'}. Peak memory of the process: ${fmt(c.maxRssMiB, 0)} MiB.${busy(c)}`);
  } else if (c) {
    lines.push(`- Country: **stopped after ${fmt(c.limitMs / 1000, 0)} s without a roster** (the benchmark's limit).`);
  }
  const rrBad = [p.baseline.roundRobin, c && c.baseline && c.baseline.roundRobin].filter(Boolean).some((b) => b.violations > 0);
  lines.push(`- Round-robin rosters valid: ${rrBad ? '**no**' : 'yes'}.`);
  const who = (name, x) => {
    if (!x || !x.extremes) return;
    const { maxIsStartingMax, startingMax, minGp } = x.extremes;
    const days = minGp.weekdays.length === 5 ? 'every weekday' : `${minGp.weekdays.length} weekdays`;
    lines.push(
      `- What sets the spread (${name}, solveRoster): the max is ${maxIsStartingMax ? `the largest starting burden, ${h(startingMax)} (caseload + hours worked of a GP who gets no shift; no roster can lower it)` : `${h(x.stats.max)}, above the largest starting burden ${h(startingMax)}`}; the min is a GP at ${h(x.stats.min)} (starting ${h(minGp.startingBurden)} + ${h(minGp.hoursAssigned, 0)} given; ${minGp.locationsWithinReach} location(s) within reach, ${days}${minGp.unavailableDays ? `, ${fmt(minGp.unavailableDays, 0)} days away` : ''}, at most ${minGp.maxShiftsPerMonth} shifts a month).`,
    );
  };
  who('province', p.heuristic);
  if (c && !c.timedOut) who('country', c.heuristic);
  lines.push('');

  // Small instances
  lines.push(
    '**Against the exact optimum (small instances).** 60 GPs, 2-3 locations around a town picked by the seed, 4 weeks (February 2027, one month, so one monthly cap per GP), 2 GP slots per session. The exact roster comes from a MILP solved by HiGHS (`bench/lib/roster/exact.js`): a binary x[g,s] only for pairs that pass travel distance, weekday and unavailability; each slot at most one GP; per GP at most one slot in each maximal clique of mutually conflicting slots (overlap or less than 11 h rest: the intervals [start, end + rest) form an interval graph, so its maximal cliques state the pairwise conflicts exactly); the monthly caps. Stage 1 maximises the filled slots (F*). Stage 2 keeps F* filled and minimises',
    '',
    '- **Σ burden² over all 60 GPs** (the objective the gap is measured on). With F* slots of 2 h filled, the mean burden is fixed, so this is exactly *minimise the standard deviation of the final burden*. It is linear: burden = b0 + 2·k with k the integer number of shifts, and the increasing marginal costs (b0+2j)² − (b0+2(j−1))² on u[g,j] ∈ [0,1], Σ_j u[g,j] = k, are taken in order. Gap = (std dev of the heuristic − optimal std dev) / optimal std dev.',
    '- **spread = max − min burden** over all GPs (z ≥ burden ≥ y, minimise z − y), reported in hours.',
    '',
    'The distance preference of the solver (0.05 h per km) is not part of the exact objective: the column "no distance" runs `solveRoster` with distanceWeightPerKm 0 to show what that preference costs in evenness, the column "greedy only" with improvementRounds 0 (no improvement pass). MILP time limit: ' +
      `${r.params.milpSeconds} s per stage; the heuristic's roster is given to HiGHS as its starting solution (it speeds up the proof, it cannot change the optimum).`,
    '',
    '| Seed | Region | Pairs x[g,s] / cliques | Filled: heuristic / optimum | Std dev: optimum | solveRoster | gap | no distance: gap | greedy only: gap | round-robin: gap | Spread: optimum | solveRoster | round-robin | MILP (3 stages) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const s of r.small) {
    if (!s.gaps) {
      lines.push(`| ${s.seed} | ${s.instance ? s.instance.region : 'n/a'} | | | | | | | | | | | | failed: ${(s.error || (s.exact && s.exact.error) || '').split('\n')[0]} |`);
      continue;
    }
    const e = s.exact;
    const g = s.gaps;
    const status = [e.fill.status, e.sumsq.status, e.spread.status].every((x) => x === 'optimal') ? 'optimal' : `${e.fill.status}/${e.sumsq.status}/${e.spread.status}`;
    lines.push(
      `| ${s.seed} | ${s.instance.region} (${s.instance.locations} loc., ${s.instance.slots} slots) | ${fmt(e.structure.pairs, 0)} / ${fmt(e.structure.cliques, 0)} | ${s.heuristic.filled} / ${e.filled} | ${h(e.sumsq.stdDev, 3)} | ${h(s.heuristic.stats.stdDev, 3)} | ${pct(g.stdDevPercent)} | ${pct(g.stdDevNoDistancePercent)} | ${pct(g.stdDevNoImprovementPercent)} | ${pct(g.stdDevRoundRobinPercent, 1)} | ${h(e.spread.objective)} | ${h(s.heuristic.stats.spread)} (+${fmt(g.spreadAbs, 2)}) | ${h(s.roundRobin.stats.spread)} | ${status}, ${fmt(s.exactMs / 1000, 1)} s |`,
    );
  }
  const okExact = okExactList(r);
  const exactValid = okExact.every((s) => s.exact.sumsq.evaluated && s.exact.sumsq.evaluated.violations === 0 && s.exact.spread.evaluated && s.exact.spread.evaluated.violations === 0);
  const sdAgrees = okExact.every((s) => s.exact.sumsq.evaluated && Math.abs(s.exact.sumsq.evaluated.stdDev - s.exact.sumsq.stdDev) < 1e-6);
  const floored = okExactList(r).filter((s) => s.exact.structure.spreadFloor !== null && Math.abs(s.exact.spread.objective - s.exact.structure.spreadFloor) < 1e-6);
  lines.push('');
  if (okExactList(r).length) {
    lines.push(
      `- Spread: in ${floored.length} of ${okExactList(r).length} seeds the optimal spread equals its floor (largest starting burden − lowest starting burden among GPs with no eligible slot at all): there no roster can narrow the spread, and only the std dev tells rosters apart.`,
    );
  }
  lines.push(`- The exact rosters pass the same independent check: ${exactValid ? 'yes' : '**no**'}; their std dev recomputed from the assignments equals the one from the MILP objective: ${sdAgrees ? 'yes' : '**no**'}.`);
  lines.push('');

  // Verdicts
  lines.push('**Targets (from the issue)**', '');
  for (const x of r.verdicts) lines.push(`- ${x.target}: ${yes(x.met)}: ${x.figure}.`);
  lines.push('');

  // Profile
  if (c && c.profile && !c.profile.error) {
    const pr = c.profile;
    const code = (t) => `\`${(t || '').replace(/\|/g, '\\|').slice(0, 110)}\``;
    lines.push(
      `**Where the time goes (country).** A CPU profile of one more country solve (the inspector's sampler, as \`node --cpu-prof\`, every 0.5 ms), run with \`${PROFILE_ARGV.join(' ')}\` so that each function is charged its own time instead of its caller's: ${fmt(pr.wallMs / 1000, 1)} s with the profiler on and inlining off (against ${fmt(c.medianMs / 1000, 1)} s in the timed run), ${fmt(pr.totalMs / 1000, 1)} s sampled. Lines of the compiled solver are mapped back to TypeScript through the source maps.`,
      '',
      '| Part of `solveRoster` (callee with everything below it) | Where | Share |',
      '| --- | --- | ---: |',
    );
    for (const f of pr.phases.filter((x) => x.share >= 0.5)) lines.push(`| ${f.function} | ${f.where ? `\`${f.where}\`` : ''} | ${fmt(f.share, 1)} % |`);
    lines.push('', '| Hottest lines (self time) | Function | Share | Code |', '| --- | --- | ---: | --- |');
    for (const l of pr.lines) lines.push(`| \`${l.where}\` | ${l.function} | ${fmt(l.share, 1)} % | ${code(l.text)} |`);
    lines.push('');
    if (c.noImprovement && !c.noImprovement.timedOut) {
      lines.push(
        `Without the improvement pass (\`improvementRounds: 0\`, timed with normal flags) the country takes ${fmt(c.noImprovement.medianMs / 1000, 1)} s instead of ${fmt(c.medianMs / 1000, 1)} s, with std dev ${h(c.noImprovement.heuristic.stats.stdDev, 3)} instead of ${h(c.heuristic.stats.stdDev, 3)} and spread ${h(c.noImprovement.heuristic.stats.spread)} instead of ${h(c.heuristic.stats.spread)}.`,
        '',
      );
    }
  } else if (c && c.profile && c.profile.error) {
    lines.push(`**Where the time goes (country):** the profiled run failed: ${c.profile.error.split('\n')[0]}`, '');
  }
  const notes = readNotes(v.solver.sha256);
  if (notes) lines.push(notes, '');

  // Machine
  lines.push(
    '**Machine and versions**',
    '',
    `- ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB RAM, ${m.platform}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
    `- Node ${v.node}; highs ${v.highs} (HiGHS ${v.highsSolver || 'n/a'}, WebAssembly, single-threaded); TypeScript compiled by \`tsc -p tsconfig.build.json\`, solver loaded from \`dist/out\`.`,
    `- Each task in a fresh child process with Node's default heap limit; the province's runs follow each other in one process, so the first is the cold one. Instance generation is not timed; \`solveRoster\` is timed as a whole (reach, heaps, greedy fill, improvement pass, stats).`,
    `- Settings: province runs ${r.params.provinceRuns}, small seeds 1-${r.params.seeds}, MILP limit ${r.params.milpSeconds} s per stage, country limit ${fmt(r.params.countryLimitMs / 1000, 0)} s.`,
  );
  return lines.join('\n');
}

/**
 * Hand-written reading of the profile (bench/lib/roster/notes.md), kept in this section across
 * runs. Its first line names the roster-solver.ts sha256 it was written for; when the solver has
 * changed since, the section says so.
 */
function readNotes(currentSha) {
  let text;
  try {
    text = fs.readFileSync(NOTES, 'utf8').trim();
  } catch {
    return null;
  }
  const m = /^<!--\s*written for roster-solver\.ts sha256 ([0-9a-f]+)\s*-->\s*/.exec(text);
  const body = m ? text.slice(m[0].length) : text;
  if (m && m[1] !== currentSha) return `> **Stale:** the notes below were written for \`roster-solver.ts\` sha256 ${m[1]}; the solver has changed since (now ${currentSha}). Re-check them against the profile above.\n\n${body}`;
  return body;
}

module.exports = {
  name: 'roster-solver',
  title: 'Roster solver: speed and fairness, against round-robin and the exact optimum',
  docsSection: 'Roster',
  run,
  markdown,
  tableRows,
};

// `node bench/roster-solver.js`: build, run, print the section; writes nothing.
if (require.main === module) {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
  if (build.status !== 0) {
    process.stderr.write('build failed\n');
    process.exit(1);
  }
  run().then(
    (result) => {
      process.stdout.write(`${markdown(result)}\n`);
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`${error.stack || error.message}\n`);
      process.exit(1);
    },
  );
}
