'use strict';
/**
 * The trivial baseline: round-robin. Slots in time order; each location keeps a pointer into its
 * GPs within travel distance, in AGB order; a slot goes to the next GP from the pointer on who
 * may work it (the same hard rules as the solver: weekday, unavailable, no overlap, rest,
 * monthly cap), and the pointer moves past them. It ignores burden and distance entirely: what a
 * roster looks like when nobody tries to be fair.
 */

const { sortedGps, orderedSlots, staticReason, conflicts, distanceTable, HOUR } = require('./evaluate');

function roundRobin(instance) {
  const gps = sortedGps(instance.gps);
  const slots = orderedSlots(instance.slots);
  const restMs = instance.rules.minRestHours * HOUR;
  const dist = distanceTable(gps, slots);
  const reach = new Map();
  for (const [locationId, row] of dist) {
    const list = [];
    for (let g = 0; g < gps.length; g++) if (row[g] <= gps[g].maxTravelKm) list.push(g);
    reach.set(locationId, { list, next: 0 });
  }
  const shifts = gps.map(() => []);
  const perMonth = gps.map(() => new Map());
  const assignments = [];
  const unfilled = [];
  for (const slot of slots) {
    const r = reach.get(slot.locationId);
    const n = r.list.length;
    let chosen = -1;
    for (let k = 0; k < n; k++) {
      const pos = (r.next + k) % n;
      const g = r.list[pos];
      const gp = gps[g];
      if (staticReason(gp, slot, 0)) continue; // distance already checked via reach
      if ((perMonth[g].get(slot.month) ?? 0) >= gp.maxShiftsPerMonth) continue;
      if (shifts[g].some((x) => conflicts(slot, x, restMs))) continue;
      chosen = g;
      r.next = (pos + 1) % n;
      break;
    }
    if (chosen < 0) {
      unfilled.push(slot.slotId);
      continue;
    }
    shifts[chosen].push(slot);
    perMonth[chosen].set(slot.month, (perMonth[chosen].get(slot.month) ?? 0) + 1);
    assignments.push({ slotId: slot.slotId, gpAgb: gps[chosen].gpAgb });
  }
  return { assignments, unfilled };
}

module.exports = { roundRobin };
