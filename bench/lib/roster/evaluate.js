'use strict';
/**
 * Checks a roster against the hard rules on its own (not trusting the solver), and computes the
 * fairness figures from the assignments: final burden = caseloadBurden + hoursWorked + hours
 * assigned, over every GP of the region, unrounded. Shared by the heuristic, the round-robin
 * baseline and the exact MILP, so all three are measured the same way.
 */

const path = require('node:path');

const HOUR = 3_600_000;
const ROOT = path.resolve(__dirname, '..', '..', '..');
const DOMAIN = path.join(ROOT, 'dist', 'out', 'apps', 'clinic-scheduling', 'src', 'modules', 'roster', 'domain');

let geo;
/** The solver's own distance function (compiled), so "within travel distance" means the same everywhere. */
function distanceKm(a, b) {
  geo = geo || require(path.join(DOMAIN, 'geo.js'));
  return geo.distanceKm(a, b);
}

function sortedGps(gps) {
  return [...gps].sort((a, b) => (a.gpAgb < b.gpAgb ? -1 : a.gpAgb > b.gpAgb ? 1 : 0));
}

/** Slots in the solver's order: start time, then slot id. */
function orderedSlots(slots) {
  return [...slots].sort((a, b) => a.startsAt - b.startsAt || (a.slotId < b.slotId ? -1 : 1));
}

/** Static eligibility (travel distance, weekday, unavailable periods) of GP for slot; undefined when eligible. */
function staticReason(gp, slot, km) {
  if (km > gp.maxTravelKm) return 'travel';
  if (gp.availableWeekdays && !gp.availableWeekdays.includes(slot.weekday)) return 'weekday';
  for (const u of gp.unavailable) if (slot.startsAt < u.to && slot.endsAt > u.from) return 'unavailable';
  return undefined;
}

/** Two shifts of one GP conflict when they overlap or leave less than the rest between them. */
function conflicts(a, b, restMs) {
  return a.startsAt < b.endsAt + restMs && b.startsAt < a.endsAt + restMs;
}

/** Distance of every GP to every location, keyed `${locationId}` -> Float64Array by GP index. */
function distanceTable(gps, slots) {
  const table = new Map();
  for (const slot of slots) {
    if (table.has(slot.locationId)) continue;
    const row = new Float64Array(gps.length);
    for (let g = 0; g < gps.length; g++) row[g] = distanceKm({ lat: gps[g].lat, lon: gps[g].lon }, slot);
    table.set(slot.locationId, row);
  }
  return table;
}

function statsOf(values) {
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / n;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { gps: n, min, max, mean, stdDev: Math.sqrt(sq / n), spread: max - min, sumSquares: values.reduce((a, v) => a + v * v, 0) };
}

/** Burden before any new shift (caseload + hours worked), every GP. */
function initialStats(instance) {
  return statsOf(instance.gps.map((g) => g.caseloadBurden + g.hoursWorked));
}

/**
 * Validates `assignments` ([{ slotId, gpAgb }]) for `instance` and returns the fairness figures.
 * `violations` lists every broken hard rule (empty when the roster is valid).
 */
function evaluate(instance, assignments) {
  const restMs = instance.rules.minRestHours * HOUR;
  const gpByAgb = new Map(instance.gps.map((g) => [g.gpAgb, g]));
  const slotById = new Map(instance.slots.map((s) => [s.slotId, s]));
  const violations = [];
  const seen = new Set();
  const shiftsOf = new Map();
  const hoursOf = new Map();
  const distCache = new Map();
  for (const a of assignments) {
    const slot = slotById.get(a.slotId);
    const gp = gpByAgb.get(a.gpAgb);
    if (!slot || !gp) {
      violations.push(`unknown slot or GP: ${a.slotId} -> ${a.gpAgb}`);
      continue;
    }
    if (seen.has(a.slotId)) violations.push(`slot ${a.slotId} given twice`);
    seen.add(a.slotId);
    const key = `${slot.locationId}|${gp.gpAgb}`;
    let d = distCache.get(key);
    if (d === undefined) {
      d = distanceKm({ lat: gp.lat, lon: gp.lon }, slot);
      distCache.set(key, d);
    }
    const why = staticReason(gp, slot, d);
    if (why) violations.push(`${a.slotId} -> ${a.gpAgb}: ${why}`);
    if (!shiftsOf.has(gp.gpAgb)) shiftsOf.set(gp.gpAgb, []);
    shiftsOf.get(gp.gpAgb).push(slot);
    hoursOf.set(gp.gpAgb, (hoursOf.get(gp.gpAgb) ?? 0) + (slot.endsAt - slot.startsAt) / HOUR);
  }
  for (const [agb, shifts] of shiftsOf) {
    const gp = gpByAgb.get(agb);
    const perMonth = new Map();
    for (const s of shifts) perMonth.set(s.month, (perMonth.get(s.month) ?? 0) + 1);
    for (const [month, n] of perMonth) if (n > gp.maxShiftsPerMonth) violations.push(`${agb}: ${n} shifts in ${month}, at most ${gp.maxShiftsPerMonth}`);
    shifts.sort((a, b) => a.startsAt - b.startsAt);
    for (let i = 0; i < shifts.length; i++) {
      for (let j = i + 1; j < shifts.length; j++) {
        if (shifts[j].startsAt >= shifts[i].endsAt + restMs) break; // sorted by start: no later one conflicts with i either
        if (conflicts(shifts[i], shifts[j], restMs)) violations.push(`${agb}: ${shifts[i].slotId} and ${shifts[j].slotId} overlap or break the rest`);
      }
    }
  }
  const burdens = instance.gps.map((g) => g.caseloadBurden + g.hoursWorked + (hoursOf.get(g.gpAgb) ?? 0));
  const stats = statsOf(burdens);
  const filled = seen.size;
  return {
    filled,
    unfilled: instance.slots.length - filled,
    violations,
    stats,
    gpsWithShifts: shiftsOf.size,
    burdenByAgb: new Map(instance.gps.map((g, i) => [g.gpAgb, burdens[i]])),
  };
}

module.exports = { evaluate, initialStats, statsOf, staticReason, conflicts, distanceTable, sortedGps, orderedSlots, distanceKm, DOMAIN, ROOT, HOUR };
