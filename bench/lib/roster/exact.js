'use strict';
/**
 * The exact baseline for small instances: a MILP solved by HiGHS (the `highs` package,
 * WebAssembly), written in CPLEX LP format.
 *
 *   x[g,s] ∈ {0,1}   only for pairs that pass the static rules (travel distance, weekday,
 *                    unavailable periods)
 *   Σ_g x[g,s] ≤ 1                       each slot at most one GP
 *   Σ_{s∈C} x[g,s] ≤ 1                   per GP, per maximal clique C of its conflicting slots
 *                                        (overlap or less than minRestHours between them; the
 *                                        intervals [start, end + rest) form an interval graph, so
 *                                        its maximal cliques replace the pairwise constraints
 *                                        exactly and more tightly)
 *   Σ_{s∈month} x[g,s] ≤ maxShiftsPerMonth
 *
 * Stage 1 maximises the number of filled slots, F*. Stage 2 keeps Σ x ≥ F* and minimises a
 * fairness objective over ALL GPs of the region (those with no eligible slot count as constants):
 *
 *   "sumsq":  Σ_g burden_g². With the filled hours fixed the mean burden is fixed, so this is
 *             exactly minimising the standard deviation of the final burden. Exact as a MILP
 *             because every slot has the same length H: burden_g = b0_g + H·k_g with k_g the
 *             integer number of shifts, and Σ_{j≤k} ((b0+jH)² − (b0+(j−1)H)²) u[g,j], u ∈ [0,1],
 *             Σ_j u[g,j] = k_g, has increasing costs, so the LP fills u[g,1..k_g] and the cost is
 *             (b0+H·k_g)² − b0² exactly.
 *   "spread": max_g burden_g − min_g burden_g, with z ≥ burden_g ≥ y and minimise z − y.
 *
 * The heuristic's roster is handed to HiGHS as a starting solution (it changes how fast the
 * optimum is proved, not the optimum).
 */

const { sortedGps, orderedSlots, staticReason, conflicts, distanceTable, evaluate, HOUR } = require('./evaluate');

let highsPromise;
function loadHighs() {
  highsPromise = highsPromise || require('highs')();
  return highsPromise;
}

/** An LP-format linear expression, wrapped so that no line gets long. */
function expr(terms) {
  const parts = [];
  let line = '';
  for (const [coef, name] of terms) {
    if (coef === 0) continue;
    const sign = coef < 0 ? '-' : '+';
    const abs = Math.abs(coef);
    const piece = ` ${sign} ${abs === 1 ? '' : `${fmtNum(abs)} `}${name}`;
    if (line.length + piece.length > 200) {
      parts.push(line);
      line = '';
    }
    line += piece;
  }
  parts.push(line);
  return parts.join('\n   ');
}

function fmtNum(v) {
  return Number.isInteger(v) ? String(v) : v.toPrecision(15).replace(/0+$/, '').replace(/\.$/, '');
}

/** Structure shared by every stage: pairs, cliques, caps. */
function structure(instance) {
  const gps = sortedGps(instance.gps);
  const slots = orderedSlots(instance.slots);
  const restMs = instance.rules.minRestHours * HOUR;
  const dist = distanceTable(gps, slots);
  const hours = slots.map((s) => (s.endsAt - s.startsAt) / HOUR);
  const pairs = []; // { g, s, name }
  const pairsOfGp = gps.map(() => []);
  const pairsOfSlot = slots.map(() => []);
  for (let s = 0; s < slots.length; s++) {
    const row = dist.get(slots[s].locationId);
    for (let g = 0; g < gps.length; g++) {
      if (staticReason(gps[g], slots[s], row[g])) continue;
      const p = { g, s, name: `x${g}_${s}` };
      pairs.push(p);
      pairsOfGp[g].push(p);
      pairsOfSlot[s].push(p);
    }
  }
  // Maximal cliques of conflicting slots per GP (interval graph of [start, end + rest)).
  const cliques = [];
  let conflictPairs = 0;
  for (let g = 0; g < gps.length; g++) {
    const mine = [...pairsOfGp[g]].sort((a, b) => slots[a.s].startsAt - slots[b.s].startsAt);
    for (let i = 0; i < mine.length; i++) {
      for (let j = i + 1; j < mine.length && slots[mine[j].s].startsAt < slots[mine[i].s].endsAt + restMs; j++) {
        if (conflicts(slots[mine[i].s], slots[mine[j].s], restMs)) conflictPairs++;
      }
    }
    const starts = [...new Set(mine.map((p) => slots[p.s].startsAt))].sort((a, b) => a - b);
    for (let k = 0; k < starts.length; k++) {
      const t = starts[k];
      const active = mine.filter((p) => slots[p.s].startsAt <= t && slots[p.s].endsAt + restMs > t);
      if (active.length < 2) continue;
      const next = starts[k + 1];
      const maximal = next === undefined || active.some((p) => slots[p.s].endsAt + restMs <= next);
      if (maximal) cliques.push({ g, members: active });
    }
  }
  // Monthly caps that can bind.
  const caps = [];
  for (let g = 0; g < gps.length; g++) {
    const byMonth = new Map();
    for (const p of pairsOfGp[g]) {
      const m = slots[p.s].month;
      if (!byMonth.has(m)) byMonth.set(m, []);
      byMonth.get(m).push(p);
    }
    for (const [month, members] of byMonth) if (members.length > gps[g].maxShiftsPerMonth) caps.push({ g, month, members, cap: gps[g].maxShiftsPerMonth });
  }
  // Most shifts a GP can get: per month the cap, and no two in one clique (one a day here).
  const maxShifts = gps.map((gp, g) => {
    const byMonth = new Map();
    for (const p of pairsOfGp[g]) byMonth.set(slots[p.s].month, (byMonth.get(slots[p.s].month) ?? 0) + 1);
    let k = 0;
    for (const n of byMonth.values()) k += Math.min(n, gp.maxShiftsPerMonth);
    return k;
  });
  return { gps, slots, hours, pairs, pairsOfGp, pairsOfSlot, cliques, caps, maxShifts, conflictPairs };
}

function constraintsLp(st) {
  const rows = [];
  st.pairsOfSlot.forEach((ps, s) => {
    if (ps.length > 1) rows.push(` slot${s}:${expr(ps.map((p) => [1, p.name]))} <= 1`);
  });
  st.cliques.forEach((c, i) => rows.push(` cl${i}:${expr(c.members.map((p) => [1, p.name]))} <= 1`));
  st.caps.forEach((c, i) => rows.push(` cap${i}:${expr(c.members.map((p) => [1, p.name]))} <= ${c.cap}`));
  return rows;
}

function modelText(st, stage, filledAtLeast) {
  const lines = [];
  const all = st.pairs.map((p) => [1, p.name]);
  const rows = constraintsLp(st);
  const extraCols = [];
  if (stage === 'fill') {
    lines.push('Maximize', ` filled:${expr(all)}`);
  } else {
    rows.push(` fillall:${expr(all)} >= ${filledAtLeast}`);
    if (stage === 'sumsq') {
      const H = st.hours[0];
      if (!st.hours.every((h) => h === H)) throw new Error('the sum-of-squares model needs slots of one length');
      const obj = [];
      st.gps.forEach((gp, g) => {
        if (st.pairsOfGp[g].length === 0) return;
        const b0 = gp.caseloadBurden + gp.hoursWorked;
        const us = [];
        for (let j = 1; j <= st.maxShifts[g]; j++) {
          const name = `u${g}_${j}`;
          us.push([1, name]);
          obj.push([2 * b0 * H + (2 * j - 1) * H * H, name]);
          extraCols.push(`0 <= ${name} <= 1`);
        }
        rows.push(` k${g}:${expr([...us, ...st.pairsOfGp[g].map((p) => [-1, p.name])])} = 0`);
      });
      lines.push('Minimize', ` sumsq:${expr(obj)}`);
    } else if (stage === 'spread') {
      lines.push('Minimize', ' spread: z - y');
      st.gps.forEach((gp, g) => {
        const b0 = gp.caseloadBurden + gp.hoursWorked;
        const load = st.pairsOfGp[g].map((p) => [st.hours[p.s], p.name]);
        if (load.length === 0) {
          rows.push(` zc${g}: z >= ${fmtNum(b0)}`, ` yc${g}: y <= ${fmtNum(b0)}`);
        } else {
          rows.push(` zc${g}: z${expr(load.map(([c, n]) => [-c, n]))} >= ${fmtNum(b0)}`);
          rows.push(` yc${g}: y${expr(load.map(([c, n]) => [-c, n]))} <= ${fmtNum(b0)}`);
        }
      });
    } else {
      throw new Error(`unknown stage ${stage}`);
    }
  }
  lines.push('Subject To', ...rows);
  if (extraCols.length) lines.push('Bounds', ...extraCols.map((c) => ` ${c}`));
  lines.push('Binary');
  for (let i = 0; i < st.pairs.length; i += 20) lines.push(` ${st.pairs.slice(i, i + 20).map((p) => p.name).join(' ')}`);
  lines.push('End');
  return lines.join('\n');
}

/** Column values for a given roster (the heuristic's), to start HiGHS from. */
function startValues(st, assignments, stage) {
  const gIndex = new Map(st.gps.map((g, i) => [g.gpAgb, i]));
  const sIndex = new Map(st.slots.map((s, i) => [s.slotId, i]));
  const values = new Map();
  const k = st.gps.map(() => 0);
  for (const a of assignments) {
    const g = gIndex.get(a.gpAgb);
    const s = sIndex.get(a.slotId);
    values.set(`x${g}_${s}`, 1);
    k[g]++;
  }
  if (stage === 'sumsq') {
    st.gps.forEach((_, g) => {
      for (let j = 1; j <= st.maxShifts[g]; j++) values.set(`u${g}_${j}`, j <= k[g] ? 1 : 0);
    });
  }
  if (stage === 'spread') {
    const burdens = st.gps.map((gp, g) => gp.caseloadBurden + gp.hoursWorked + k[g] * st.hours[0]);
    values.set('z', Math.max(...burdens));
    values.set('y', Math.min(...burdens));
  }
  return values;
}

/**
 * Solves one stage; returns { status, objective, bound, gap, seconds, nodes, assignments }.
 * `start`: a roster to start from (ignored when it does not fit the model).
 */
async function solveStage(st, stage, { filledAtLeast = 0, timeLimitSeconds, start }) {
  const highs = await loadHighs();
  const text = modelText(st, stage, filledAtLeast);
  const model = highs.createModel({ format: 'lp', data: text });
  try {
    model.options.set({ output_flag: false, time_limit: timeLimitSeconds, mip_rel_gap: 1e-9, mip_abs_gap: 1e-7, random_seed: 1 });
    const { numCols } = model.getDimensions();
    const names = Array.from({ length: numCols }, (_, i) => model.getColName(i));
    let startAccepted = null;
    if (start) {
      const values = startValues(st, start, stage);
      const colValue = new Float64Array(numCols);
      names.forEach((n, i) => (colValue[i] = values.get(n) ?? 0));
      startAccepted = model.setSolution({ colValue }).status >= 0;
    }
    const t0 = performance.now();
    model.run();
    const seconds = (performance.now() - t0) / 1000;
    const code = model.getModelStatus();
    const statusName = Object.entries(highs.constants.modelStatus).find(([, v]) => v === code)?.[0] ?? String(code);
    const solution = model.getSolution();
    const hasSolution = solution.colValue && solution.colValue.length === numCols && ['optimal', 'timeLimit', 'interrupted', 'solutionLimit', 'iterationLimit'].includes(statusName);
    const assignments = [];
    if (hasSolution) {
      names.forEach((n, i) => {
        if (n[0] !== 'x' || solution.colValue[i] < 0.5) return;
        const [g, s] = n.slice(1).split('_').map(Number);
        assignments.push({ slotId: st.slots[s].slotId, gpAgb: st.gps[g].gpAgb });
      });
    }
    const info = (name) => {
      try {
        return Number(model.info.get(name));
      } catch {
        return null;
      }
    };
    return {
      status: statusName,
      objective: hasSolution ? model.getObjectiveValue() : null,
      bound: info('mip_dual_bound'),
      gap: info('mip_gap'),
      nodes: info('mip_node_count'),
      seconds,
      columns: numCols,
      rows: model.getDimensions().numRows,
      startAccepted,
      assignments: hasSolution ? assignments : null,
    };
  } finally {
    model.dispose();
  }
}

/**
 * Exact optima for one small instance: F* (most slots fillable), then min Σ burden² (= min
 * standard deviation) and min spread at F*. `start`: the heuristic's assignments.
 */
async function solveExact(instance, { start, timeLimitSeconds = 60 } = {}) {
  const st = structure(instance);
  const fill = await solveStage(st, 'fill', { timeLimitSeconds, start });
  if (fill.status !== 'optimal') return { structure: summary(st), fill, error: `stage 1 (most filled slots) ended ${fill.status}` };
  const filledAtLeast = Math.round(fill.objective);
  const startFits = start && start.length >= filledAtLeast ? start : undefined;
  const sumsq = await solveStage(st, 'sumsq', { filledAtLeast, timeLimitSeconds, start: startFits });
  const spread = await solveStage(st, 'spread', { filledAtLeast, timeLimitSeconds, start: startFits });
  const n = instance.gps.length;
  const b0 = st.gps.reduce((a, g) => a + g.caseloadBurden + g.hoursWorked, 0);
  const b0sq = st.gps.reduce((a, g) => a + (g.caseloadBurden + g.hoursWorked) ** 2, 0);
  const mean = (b0 + filledAtLeast * st.hours[0]) / n;
  // Σ burden² = Σ b0² + objective; stdDev = sqrt(Σ burden² / n − mean²)
  const sdOf = (objective) => (objective === null ? null : Math.sqrt(Math.max(0, (b0sq + objective) / n - mean * mean)));
  const check = (stage) => (stage.assignments ? evaluate(instance, stage.assignments) : null);
  const sumsqEval = check(sumsq);
  const spreadEval = check(spread);
  return {
    structure: summary(st),
    filled: filledAtLeast,
    fill: strip(fill),
    sumsq: { ...strip(sumsq), stdDev: sdOf(sumsq.objective), stdDevBound: sdOf(sumsq.bound), evaluated: sumsqEval && brief(sumsqEval) },
    spread: { ...strip(spread), evaluated: spreadEval && brief(spreadEval) },
  };
}

function strip(stage) {
  const { assignments, ...rest } = stage;
  return rest;
}

function brief(e) {
  return { filled: e.filled, violations: e.violations.length, stdDev: e.stats.stdDev, spread: e.stats.spread, min: e.stats.min, max: e.stats.max };
}

function summary(st) {
  const b0 = (g) => g.caseloadBurden + g.hoursWorked;
  const stuck = st.gps.filter((_, g) => st.pairsOfGp[g].length === 0);
  const maxB0 = Math.max(...st.gps.map(b0));
  // No roster can lower the largest starting burden nor raise a GP without any eligible slot:
  // max starting burden − min starting burden among those is a lower bound on the spread.
  const spreadFloor = stuck.length ? maxB0 - Math.min(...stuck.map(b0)) : null;
  return {
    gps: st.gps.length,
    slots: st.slots.length,
    pairs: st.pairs.length,
    cliques: st.cliques.length,
    conflictPairs: st.conflictPairs,
    monthlyCaps: st.caps.length,
    gpsWithoutEligibleSlot: stuck.length,
    maxStartingBurden: maxB0,
    spreadFloor,
  };
}

async function highsVersion() {
  const highs = await loadHighs();
  return highs.version ? highs.version.string || `${highs.version.major}.${highs.version.minor}.${highs.version.patch}` : 'unknown';
}

module.exports = { solveExact, highsVersion, modelText, structure };
