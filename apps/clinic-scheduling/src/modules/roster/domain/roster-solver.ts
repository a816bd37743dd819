import { distanceKm } from './geo';
import { MinHeap } from './min-heap';

/** A GP of the region as the roster sees them: no name, no contact data. */
export interface RosterGp {
  gpAgb: string;
  practiceAgb: string;
  lat: number;
  lon: number;
  /** The practice's refugee caseload per GP FTE, converted to hour-equivalents (rule 7). */
  caseloadBurden: number;
  /** Hours worked at central locations in the rolling window before the horizon. */
  hoursWorked: number;
  maxShiftsPerMonth: number;
  maxTravelKm: number;
  /** Periods the GP cannot work, epoch ms [from, to). */
  unavailable: Array<{ from: number; to: number }>;
  /** ISO weekdays (1 = Monday) the GP can work; every day when absent. */
  availableWeekdays?: number[];
}

export interface RosterSlot {
  slotId: string;
  sessionId: string;
  locationId: string;
  lat: number;
  lon: number;
  startsAt: number;
  endsAt: number;
  /** ISO weekday and month (YYYY-MM) in Europe/Amsterdam. */
  weekday: number;
  month: string;
  /** A published shift: kept as it is, and counted in the GP's load. */
  pinnedGpAgb?: string;
}

export interface RosterRules {
  /** Hours between the end of one shift and the start of the next. */
  minRestHours: number;
  /** Hour-equivalents of burden one km of travel is worth: prefers GPs near the location. */
  distanceWeightPerKm: number;
  /** Rounds of the improvement pass after the greedy fill. */
  improvementRounds?: number;
}

export type RejectionReason = 'unavailable' | 'weekday' | 'overlap' | 'rest' | 'max-load';

export interface Explanation {
  /** Burden (hour-equivalents) of the chosen GP just before this assignment. */
  burdenBefore: number;
  distanceKm: number;
  score: number;
  /** GPs within travel distance of the location. */
  withinReach: number;
  /** Nearer-to-the-top candidates passed over, by reason. */
  passedOver: Partial<Record<RejectionReason, number>>;
  text: string;
}

export interface Assignment {
  slotId: string;
  gpAgb: string;
  pinned: boolean;
  explanation: Explanation;
}

export interface RosterResult {
  assignments: Assignment[];
  unfilled: Array<{ slotId: string; reason: string }>;
  /** Final burden per GP (hour-equivalents), every GP of the region included. */
  burden: Map<string, number>;
  stats: { gps: number; min: number; max: number; mean: number; stdDev: number; spread: number };
}

interface GpState {
  gp: RosterGp;
  index: number;
  hoursAssigned: number;
  version: number;
  shifts: Array<{ slotId: string; startsAt: number; endsAt: number; pinned: boolean }>;
  perMonth: Map<string, number>;
}

interface HeapEntry {
  g: number;
  score: number;
  version: number;
  agb: string;
}

const HOUR = 3_600_000;

/**
 * Fills GP slots so that burden is even over all GPs of the region (rule 7): each slot goes to
 * the eligible GP with the lowest burden (caseload per FTE + hours at central locations),
 * nearer GPs preferred by a distance weight. Hard rules: availability, no overlap, rest between
 * shifts, maximum shifts per month, maximum travel distance. Published shifts are pinned.
 * Deterministic: the same input gives the same roster (ties go to the lower AGB code).
 */
export function solveRoster(gps: RosterGp[], slots: RosterSlot[], rules: RosterRules): RosterResult {
  const restMs = rules.minRestHours * HOUR;
  const states: GpState[] = [...gps]
    .sort((a, b) => (a.gpAgb < b.gpAgb ? -1 : a.gpAgb > b.gpAgb ? 1 : 0))
    .map((gp, index) => ({ gp, index, hoursAssigned: 0, version: 0, shifts: [], perMonth: new Map() }));
  const byAgb = new Map(states.map((s) => [s.gp.gpAgb, s]));
  const burdenOf = (s: GpState) => s.gp.caseloadBurden + s.gp.hoursWorked + s.hoursAssigned;
  const ordered = [...slots].sort((a, b) => a.startsAt - b.startsAt || (a.slotId < b.slotId ? -1 : 1));

  // Who can reach each location, and the distance.
  const locations = new Map<string, { lat: number; lon: number; reach: Array<{ g: number; km: number }> }>();
  for (const slot of ordered) {
    if (locations.has(slot.locationId)) continue;
    const reach: Array<{ g: number; km: number }> = [];
    for (const s of states) {
      const km = distanceKm({ lat: s.gp.lat, lon: s.gp.lon }, slot);
      if (km <= s.gp.maxTravelKm) reach.push({ g: s.index, km });
    }
    locations.set(slot.locationId, { lat: slot.lat, lon: slot.lon, reach });
  }
  const distance = new Map<string, Map<number, number>>();
  const locationsOfGp: Array<string[]> = states.map(() => []);
  for (const [locationId, loc] of locations) {
    distance.set(locationId, new Map(loc.reach.map((r) => [r.g, r.km])));
    for (const r of loc.reach) locationsOfGp[r.g].push(locationId);
  }

  const assign = (s: GpState, slot: RosterSlot, pinned: boolean) => {
    s.shifts.push({ slotId: slot.slotId, startsAt: slot.startsAt, endsAt: slot.endsAt, pinned });
    s.perMonth.set(slot.month, (s.perMonth.get(slot.month) ?? 0) + 1);
    s.hoursAssigned += (slot.endsAt - slot.startsAt) / HOUR;
    s.version++;
  };
  const unassign = (s: GpState, slot: RosterSlot) => {
    s.shifts = s.shifts.filter((x) => x.slotId !== slot.slotId);
    s.perMonth.set(slot.month, (s.perMonth.get(slot.month) ?? 1) - 1);
    s.hoursAssigned -= (slot.endsAt - slot.startsAt) / HOUR;
    s.version++;
  };
  const reject = (s: GpState, slot: RosterSlot, ignoreSlotId?: string): RejectionReason | undefined => {
    const gp = s.gp;
    if (gp.availableWeekdays && !gp.availableWeekdays.includes(slot.weekday)) return 'weekday';
    for (const u of gp.unavailable) if (slot.startsAt < u.to && slot.endsAt > u.from) return 'unavailable';
    for (const x of s.shifts) {
      if (x.slotId === ignoreSlotId) continue;
      if (slot.startsAt < x.endsAt && slot.endsAt > x.startsAt) return 'overlap';
      if (slot.startsAt < x.endsAt + restMs && slot.endsAt + restMs > x.startsAt) return 'rest';
    }
    const inMonth = (s.perMonth.get(slot.month) ?? 0) - (ignoreSlotId && s.shifts.some((x) => x.slotId === ignoreSlotId) ? 1 : 0);
    if (inMonth >= gp.maxShiftsPerMonth) return 'max-load';
    return undefined;
  };

  const assignments = new Map<string, Assignment>();
  const unfilled: RosterResult['unfilled'] = [];

  // Published shifts first: they stay, and they count.
  for (const slot of ordered) {
    if (!slot.pinnedGpAgb) continue;
    const s = byAgb.get(slot.pinnedGpAgb);
    if (!s) {
      unfilled.push({ slotId: slot.slotId, reason: `published GP ${slot.pinnedGpAgb} is no longer in the directory` });
      continue;
    }
    const before = burdenOf(s);
    assign(s, slot, true);
    assignments.set(slot.slotId, {
      slotId: slot.slotId,
      gpAgb: s.gp.gpAgb,
      pinned: true,
      explanation: { burdenBefore: round(before), distanceKm: round(distance.get(slot.locationId)?.get(s.index) ?? 0), score: 0, withinReach: 0, passedOver: {}, text: 'published shift: pinned' },
    });
  }

  const less = (a: HeapEntry, b: HeapEntry) => a.score < b.score || (a.score === b.score && a.agb < b.agb);
  const heaps = new Map<string, MinHeap<HeapEntry>>();
  const scoreAt = (s: GpState, locationId: string) => burdenOf(s) + rules.distanceWeightPerKm * (distance.get(locationId)?.get(s.index) ?? 0);
  const pushEverywhere = (s: GpState) => {
    for (const locationId of locationsOfGp[s.index]) {
      heaps.get(locationId)?.push({ g: s.index, score: scoreAt(s, locationId), version: s.version, agb: s.gp.gpAgb });
    }
  };
  for (const [locationId, loc] of locations) {
    const heap = new MinHeap<HeapEntry>(less);
    for (const r of loc.reach) heap.push({ g: r.g, score: scoreAt(states[r.g], locationId), version: states[r.g].version, agb: states[r.g].gp.gpAgb });
    heaps.set(locationId, heap);
  }

  for (const slot of ordered) {
    if (slot.pinnedGpAgb) continue;
    const heap = heaps.get(slot.locationId) as MinHeap<HeapEntry>;
    const setAside: HeapEntry[] = [];
    const passedOver: Partial<Record<RejectionReason, number>> = {};
    let chosen: HeapEntry | undefined;
    for (let entry = heap.pop(); entry; entry = heap.pop()) {
      const s = states[entry.g];
      if (entry.version !== s.version) continue; // stale: a fresher entry for this GP is in the heap
      const why = reject(s, slot);
      if (why) {
        passedOver[why] = (passedOver[why] ?? 0) + 1;
        setAside.push(entry);
        continue;
      }
      chosen = entry;
      break;
    }
    for (const entry of setAside) heap.push(entry);
    const reach = locations.get(slot.locationId)?.reach.length ?? 0;
    if (!chosen) {
      unfilled.push({ slotId: slot.slotId, reason: reach === 0 ? 'no GP within travel distance' : `no eligible GP among ${reach} within travel distance` });
      continue;
    }
    const s = states[chosen.g];
    const before = burdenOf(s);
    const km = distance.get(slot.locationId)?.get(s.index) ?? 0;
    assign(s, slot, false);
    pushEverywhere(s);
    assignments.set(slot.slotId, {
      slotId: slot.slotId,
      gpAgb: s.gp.gpAgb,
      pinned: false,
      explanation: {
        burdenBefore: round(before),
        distanceKm: round(km),
        score: round(chosen.score),
        withinReach: reach,
        passedOver,
        text: `lowest burden plus travel among the ${reach} GPs within reach: burden ${round(before)} h, ${round(km)} km`,
      },
    });
  }

  improve(ordered, assignments, states, byAgb, burdenOf, reject, assign, unassign, distance, rules);

  const burden = new Map(states.map((s) => [s.gp.gpAgb, round(burdenOf(s))]));
  return { assignments: ordered.map((s) => assignments.get(s.slotId)).filter((a): a is Assignment => !!a), unfilled, burden, stats: statsOf([...burden.values()]) };
}

/**
 * Moves a shift from a GP above the mean burden to an eligible GP below it when that narrows
 * the gap between the two, until no such move is left or the rounds run out.
 */
function improve(
  slots: RosterSlot[],
  assignments: Map<string, Assignment>,
  states: GpState[],
  byAgb: Map<string, GpState>,
  burdenOf: (s: GpState) => number,
  reject: (s: GpState, slot: RosterSlot, ignoreSlotId?: string) => RejectionReason | undefined,
  assign: (s: GpState, slot: RosterSlot, pinned: boolean) => void,
  unassign: (s: GpState, slot: RosterSlot) => void,
  distance: Map<string, Map<number, number>>,
  rules: RosterRules,
): void {
  const rounds = rules.improvementRounds ?? 3;
  for (let round = 0; round < rounds; round++) {
    let moved = 0;
    for (const slot of slots) {
      const current = assignments.get(slot.slotId);
      if (!current || current.pinned) continue;
      const from = byAgb.get(current.gpAgb) as GpState;
      const hours = (slot.endsAt - slot.startsAt) / HOUR;
      const fromBurden = burdenOf(from);
      const reach = distance.get(slot.locationId) as Map<number, number>;
      let best: GpState | undefined;
      let bestCost = rules.distanceWeightPerKm * (reach.get(from.index) ?? 0) + fromBurden; // cost if it stays
      for (const [g, km] of reach) {
        const to = states[g];
        if (to === from) continue;
        const toBurden = burdenOf(to);
        // Only moves that narrow the gap between the two GPs by more than the travel they add.
        if (toBurden + hours >= fromBurden) continue;
        const cost = toBurden + hours + rules.distanceWeightPerKm * km;
        if (cost < bestCost - 1e-9 || (best && Math.abs(cost - bestCost) < 1e-9 && to.gp.gpAgb < best.gp.gpAgb)) {
          if (reject(to, slot)) continue;
          best = to;
          bestCost = cost;
        }
      }
      if (!best) continue;
      const before = burdenOf(best);
      unassign(from, slot);
      assign(best, slot, false);
      const km = reach.get(best.index) ?? 0;
      assignments.set(slot.slotId, {
        slotId: slot.slotId,
        gpAgb: best.gp.gpAgb,
        pinned: false,
        explanation: {
          ...current.explanation,
          burdenBefore: Math.round(before * 100) / 100,
          distanceKm: Math.round(km * 100) / 100,
          text: `moved from GP ${from.gp.gpAgb} (burden ${Math.round(fromBurden * 100) / 100} h) to even out burden: ${Math.round(before * 100) / 100} h, ${Math.round(km * 100) / 100} km`,
        },
      });
      moved++;
    }
    if (moved === 0) break;
  }
}

export function statsOf(values: number[]): RosterResult['stats'] {
  if (values.length === 0) return { gps: 0, min: 0, max: 0, mean: 0, stdDev: 0, spread: 0 };
  const min = Math.min(...values);
  const max = Math.max(...values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const stdDev = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { gps: values.length, min: round(min), max: round(max), mean: round(mean), stdDev: round(stdDev), spread: round(max - min) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
