'use strict';
/**
 * One task of the roster-solver benchmark, in a child process of its own so that the parent can
 * stop it at its time limit (solveRoster is synchronous) and so that every task starts from a
 * fresh heap. Receives { task, ... } over IPC, answers { ok, result } or { ok: false, error }.
 *
 *   heuristic  { kind, seed, runs, profile,   solveRoster `runs` times (times each), checks the
 *                rules }                      roster and its fairness figures on its own; `rules`
 *                                             overrides the instance's (improvementRounds: 0);
 *                                             `profile`: one more solve under the CPU profiler
 *   baseline   { kind, seed }                 round-robin
 *   small      { seed, timeLimitSeconds }     heuristic, heuristic without distance weight,
 *                                             without improvement pass, round-robin and the
 *                                             exact MILP on a small instance
 */

const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { makeInstance } = require('./instances');
const { evaluate, initialStats, distanceTable, sortedGps, DOMAIN } = require('./evaluate');
const { roundRobin } = require('./baseline');

function solver() {
  return require(path.join(DOMAIN, 'roster-solver.js'));
}

/** What an instance looks like: size, reach, availability. */
function describe(instance) {
  const gps = sortedGps(instance.gps);
  const dist = distanceTable(gps, instance.slots);
  const reachPerLocation = [];
  const reachable = new Uint8Array(gps.length);
  for (const row of dist.values()) {
    let n = 0;
    for (let g = 0; g < gps.length; g++) {
      if (row[g] <= gps[g].maxTravelKm) {
        n++;
        reachable[g] = 1;
      }
    }
    reachPerLocation.push(n);
  }
  reachPerLocation.sort((a, b) => a - b);
  const hours = instance.slots.reduce((a, s) => a + (s.endsAt - s.startsAt) / 3_600_000, 0);
  return {
    region: instance.region,
    gps: instance.gps.length,
    practices: new Set(instance.gps.map((g) => g.practiceAgb)).size,
    locations: dist.size,
    slots: instance.slots.length,
    slotHours: hours,
    months: [...new Set(instance.slots.map((s) => s.month))].sort(),
    firstSlot: new Date(Math.min(...instance.slots.map((s) => s.startsAt))).toISOString(),
    gpsWithinReachPerLocation: { min: reachPerLocation[0], median: reachPerLocation[Math.floor(reachPerLocation.length / 2)], max: reachPerLocation[reachPerLocation.length - 1] },
    gpsOutOfReachOfEveryLocation: gps.length - reachable.reduce((a, b) => a + b, 0),
    gpsWithUnavailablePeriod: instance.gps.filter((g) => g.unavailable.length > 0).length,
    gpsWithSomeWeekdaysOnly: instance.gps.filter((g) => g.availableWeekdays).length,
    initial: initialStats(instance),
  };
}

/**
 * Who sets the spread: whether the maximum is the most burdened GP's starting burden (so no
 * roster can lower it), and the GP at the minimum: starting burden, hours given, and why not more.
 */
function extremes(instance, e) {
  const b0 = (g) => g.caseloadBurden + g.hoursWorked;
  const initialMax = Math.max(...instance.gps.map(b0));
  let minGp = null;
  for (const g of instance.gps) {
    const b = e.burdenByAgb.get(g.gpAgb);
    if (!minGp || b < e.burdenByAgb.get(minGp.gpAgb) || (b === e.burdenByAgb.get(minGp.gpAgb) && g.gpAgb < minGp.gpAgb)) minGp = g;
  }
  const dist = distanceTable([minGp], instance.slots);
  const within = [...dist.values()].filter((row) => row[0] <= minGp.maxTravelKm).length;
  return {
    maxIsStartingMax: Math.abs(e.stats.max - initialMax) < 1e-9,
    startingMax: initialMax,
    minGp: {
      startingBurden: b0(minGp),
      hoursAssigned: e.burdenByAgb.get(minGp.gpAgb) - b0(minGp),
      locationsWithinReach: within,
      weekdays: minGp.availableWeekdays || [1, 2, 3, 4, 5],
      unavailableDays: minGp.unavailable.reduce((a, u) => a + (u.to - u.from) / 86_400_000, 0),
      maxShiftsPerMonth: minGp.maxShiftsPerMonth,
    },
  };
}

function brief(e, instance) {
  return {
    filled: e.filled,
    unfilled: e.unfilled,
    violations: e.violations.length,
    firstViolations: e.violations.slice(0, 5),
    gpsWithShifts: e.gpsWithShifts,
    stats: e.stats,
    ...(instance ? { extremes: extremes(instance, e) } : {}),
  };
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat); null elsewhere. */
function machineTicks() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, v) => a + v, 0);
    return { busy: total - f[3] - (f[4] || 0), total };
  } catch {
    return null;
  }
}

/**
 * Who was busy while fn ran: this process's CPU seconds against the whole machine's, so a timed
 * solve can say whether other work shared the cores.
 */
function whileRunning(fn) {
  const m0 = machineTicks();
  const c0 = process.cpuUsage();
  const value = fn();
  const c1 = process.cpuUsage(c0);
  const m1 = machineTicks();
  const own = (c1.user + c1.system) / 1e6;
  if (!m0 || !m1 || m1.total <= m0.total) return { value, cpu: { ownSeconds: own, machineBusyPercent: null, otherSeconds: null } };
  const busySeconds = (m1.busy - m0.busy) / 100; // USER_HZ = 100 on Linux
  return {
    value,
    cpu: { ownSeconds: own, machineBusyPercent: (100 * (m1.busy - m0.busy)) / (m1.total - m0.total), otherSeconds: Math.max(0, busySeconds - own) },
  };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function heuristicTask({ kind, seed, runs = 1, profile = false, rules = {} }) {
  const { solveRoster } = solver();
  const instance = makeInstance(kind, seed);
  Object.assign(instance.rules, rules);
  const times = [];
  let result;
  let profileSummary = null;
  const timed = whileRunning(() => {
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      result = solveRoster(instance.gps, instance.slots, instance.rules);
      times.push(performance.now() - t);
    }
  });
  if (profile) {
    const { profiled, summarise } = require('./profile');
    const t = performance.now();
    const run = await profiled(() => solveRoster(instance.gps, instance.slots, instance.rules));
    profileSummary = { wallMs: Math.round(performance.now() - t), ...summarise(run.profile) };
    if (!result) result = run.value;
  }
  const e = evaluate(instance, result.assignments);
  // The solver's own figures (rounded to 0.01) must agree with the independent ones.
  const own = result.stats;
  const agree =
    result.unfilled.length === e.unfilled &&
    Math.abs(own.spread - e.stats.spread) <= 0.02 &&
    Math.abs(own.stdDev - e.stats.stdDev) <= 0.01 &&
    result.burden.size === instance.gps.length;
  return {
    instance: describe(instance),
    timesMs: times,
    medianMs: times.length ? median(times) : null,
    heuristic: brief(e, instance),
    solverStats: own,
    solverFiguresAgree: agree,
    unfilledReasons: [...new Set(result.unfilled.map((u) => u.reason))].slice(0, 5),
    profile: profileSummary,
    cpuWhileTimed: runs > 0 ? timed.cpu : null,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function baselineTask({ kind, seed }) {
  const instance = makeInstance(kind, seed);
  const t = performance.now();
  const rr = roundRobin(instance);
  const ms = performance.now() - t;
  return { ms, roundRobin: brief(evaluate(instance, rr.assignments), instance) };
}

async function smallTask({ seed, timeLimitSeconds }) {
  const { solveRoster } = solver();
  const { solveExact, highsVersion } = require('./exact');
  const instance = makeInstance('small', seed);
  let t = performance.now();
  const h = solveRoster(instance.gps, instance.slots, instance.rules);
  const heuristicMs = performance.now() - t;
  const h0 = solveRoster(instance.gps, instance.slots, { ...instance.rules, distanceWeightPerKm: 0 });
  const hGreedy = solveRoster(instance.gps, instance.slots, { ...instance.rules, improvementRounds: 0 });
  const rr = roundRobin(instance);
  t = performance.now();
  const exact = await solveExact(instance, { start: h.assignments, timeLimitSeconds });
  const exactMs = performance.now() - t;
  return {
    seed,
    instance: describe(instance),
    heuristicMs,
    heuristic: brief(evaluate(instance, h.assignments), instance),
    heuristicNoDistance: brief(evaluate(instance, h0.assignments)),
    heuristicNoImprovement: brief(evaluate(instance, hGreedy.assignments)),
    roundRobin: brief(evaluate(instance, rr.assignments)),
    exact,
    exactMs,
    highs: await highsVersion(),
  };
}

const TASKS = { heuristic: heuristicTask, baseline: baselineTask, small: smallTask };

process.on('message', async (msg) => {
  try {
    const result = await TASKS[msg.task](msg);
    process.send({ ok: true, result }, () => process.exit(0));
  } catch (error) {
    process.send({ ok: false, error: error.stack || String(error) }, () => process.exit(1));
  }
});
