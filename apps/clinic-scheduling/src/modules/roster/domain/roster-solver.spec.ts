import { RosterGp, RosterSlot, solveRoster } from './roster-solver';

const HOUR = 3_600_000;
const EMMEN = { lat: 52.785, lon: 6.897 };
const day = (d: number, hour: number) => Date.UTC(2026, 11, d, hour - 1); // December 2026, CET

function gp(gpAgb: string, overrides: Partial<RosterGp> = {}): RosterGp {
  return {
    gpAgb,
    practiceAgb: `9${gpAgb.slice(1)}`,
    lat: EMMEN.lat + 0.01,
    lon: EMMEN.lon,
    caseloadBurden: 0,
    hoursWorked: 0,
    maxShiftsPerMonth: 10,
    maxTravelKm: 30,
    unavailable: [],
    ...overrides,
  };
}

function slot(slotId: string, d: number, startHour: number, hours = 2, overrides: Partial<RosterSlot> = {}): RosterSlot {
  const startsAt = day(d, startHour);
  return {
    slotId,
    sessionId: `s-${d}-${startHour}-${overrides.locationId ?? 'emmen'}`,
    locationId: 'emmen',
    ...EMMEN,
    startsAt,
    endsAt: startsAt + hours * HOUR,
    weekday: ((new Date(startsAt).getUTCDay() + 6) % 7) + 1,
    month: '2026-12',
    ...overrides,
  };
}

const rules = { minRestHours: 11, distanceWeightPerKm: 0.05 };
const who = (result: ReturnType<typeof solveRoster>) => Object.fromEntries(result.assignments.map((a) => [a.slotId, a.gpAgb]));

describe('rule 7: the roster spreads the burden evenly over all GPs of the region', () => {
  it('gives equally burdened GPs equal shares', () => {
    const result = solveRoster([gp('80000001'), gp('80000002'), gp('80000003')], [1, 2, 3, 4, 7, 8].map((d) => slot(`x${d}`, d, 9)), rules);
    const counts = Object.values(who(result)).reduce<Record<string, number>>((acc, g) => ({ ...acc, [g]: (acc[g] ?? 0) + 1 }), {});
    expect(counts).toEqual({ '80000001': 2, '80000002': 2, '80000003': 2 });
    expect(result.stats.spread).toBe(0);
  });

  it('counts a practice caseload per FTE and hours already worked, so heavily burdened GPs get fewer shifts', () => {
    const result = solveRoster(
      [gp('80000001', { caseloadBurden: 6 }), gp('80000002', { hoursWorked: 4 }), gp('80000003')],
      [1, 2, 3, 4, 7, 8].map((d) => slot(`x${d}`, d, 9)),
      rules,
    );
    const counts = Object.values(who(result)).reduce<Record<string, number>>((acc, g) => ({ ...acc, [g]: (acc[g] ?? 0) + 1 }), {});
    // Fewest shifts for the most burdened; final burdens within one shift (2 h) of each other.
    expect(counts).toEqual({ '80000001': 1, '80000002': 2, '80000003': 3 });
    expect(result.stats.spread).toBeLessThanOrEqual(2);
  });

  it('includes GPs without any shift in the fairness figures', () => {
    const result = solveRoster([gp('80000001'), gp('80000002', { maxTravelKm: 1 })], [slot('a', 1, 9)], rules);
    expect([...result.burden.keys()].sort()).toEqual(['80000001', '80000002']);
    expect(result.stats).toMatchObject({ gps: 2, min: 0, max: 2, spread: 2 });
  });

  it('prefers the nearer GP when burdens are equal', () => {
    const far = gp('80000001', { lat: EMMEN.lat + 0.2 });
    const near = gp('80000009', { lat: EMMEN.lat + 0.01 });
    expect(who(solveRoster([far, near], [slot('a', 1, 9)], rules))).toEqual({ a: '80000009' });
  });

  it('gives the same roster for the same input, whatever the order it comes in', () => {
    const gps = Array.from({ length: 12 }, (_, i) => gp(`8000001${i.toString().padStart(2, '0')}`, { lat: EMMEN.lat + i * 0.003 }));
    const slots = Array.from({ length: 20 }, (_, i) => slot(`s${i}`, 1 + (i % 10), 9 + 3 * Math.floor(i / 10)));
    const a = solveRoster(gps, slots, rules);
    const b = solveRoster([...gps].reverse(), [...slots].reverse(), rules);
    expect(who(b)).toEqual(who(a));
  });
});

describe('rule 7, hard rules: availability, no overlap, rest, maximum load, travel distance', () => {
  it('never plans a GP when unavailable or on a weekday they do not work', () => {
    const away = gp('80000001', { unavailable: [{ from: day(1, 0), to: day(2, 0) }] });
    const weekdays = gp('80000002', { availableWeekdays: [2, 3, 4, 5] }); // 2026-12-01 is a Tuesday; 12-07 a Monday
    const result = solveRoster([away, weekdays], [slot('tue', 1, 9), slot('mon', 7, 9)], rules);
    expect(who(result)).toEqual({ tue: '80000002', mon: '80000001' });
  });

  it('never puts a GP in two places at once', () => {
    const other = { locationId: 'assen', lat: 52.99, lon: 6.56 };
    const result = solveRoster([gp('80000001', { maxTravelKm: 100 }), gp('80000002', { maxTravelKm: 100, caseloadBurden: 50 })], [slot('emmen', 1, 9), slot('assen', 1, 9, 2, other)], rules);
    expect(new Set(Object.values(who(result))).size).toBe(2);
  });

  it('keeps the rest between shifts', () => {
    const late = slot('late', 1, 20, 3); // 20:00-23:00
    const early = slot('early', 2, 8, 2); // 08:00 next day: 9 h rest only
    const result = solveRoster([gp('80000001'), gp('80000002', { caseloadBurden: 100 })], [late, early], rules);
    expect(who(result)).toEqual({ late: '80000001', early: '80000002' });
  });

  it('respects the maximum number of shifts per month and reports what it cannot fill', () => {
    const result = solveRoster([gp('80000001', { maxShiftsPerMonth: 2 })], [slot('a', 1, 9), slot('b', 2, 9), slot('c', 3, 9)], rules);
    expect(result.assignments).toHaveLength(2);
    expect(result.unfilled).toEqual([{ slotId: 'c', reason: 'no eligible GP among 1 within travel distance' }]);
  });

  it('asks no GP to travel further than they said they would', () => {
    const result = solveRoster([gp('80000001', { lat: EMMEN.lat + 1, maxTravelKm: 50 })], [slot('a', 1, 9)], rules);
    expect(result.unfilled).toEqual([{ slotId: 'a', reason: 'no GP within travel distance' }]);
  });
});

describe('published shifts are pinned; each assignment explains itself', () => {
  it('keeps a published shift with its GP and counts it in their load', () => {
    const result = solveRoster([gp('80000001'), gp('80000002')], [slot('pub', 1, 9, 2, { pinnedGpAgb: '80000002' }), slot('new', 2, 9)], rules);
    expect(who(result)).toEqual({ pub: '80000002', new: '80000001' });
    expect(result.assignments.find((a) => a.slotId === 'pub')?.pinned).toBe(true);
  });

  it('says why this GP: burden, distance, how many were within reach and who was passed over', () => {
    const result = solveRoster([gp('80000001', { caseloadBurden: 1 }), gp('80000002', { unavailable: [{ from: day(1, 0), to: day(2, 0) }] })], [slot('a', 1, 9)], rules);
    expect(result.assignments[0]).toMatchObject({ gpAgb: '80000001' });
    expect(result.assignments[0].explanation).toMatchObject({ burdenBefore: 1, withinReach: 2, passedOver: { unavailable: 1 } });
    expect(result.assignments[0].explanation.text).toContain('lowest burden');
  });
});
