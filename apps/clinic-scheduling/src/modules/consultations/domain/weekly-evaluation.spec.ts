import { isoWeekOf, weeklyEvaluation } from './weekly-evaluation';

describe('isoWeekOf', () => {
  it.each([
    ['2026-11-23', '2026-W48', '2026-11-23'], // a Monday
    ['2026-11-29', '2026-W48', '2026-11-23'], // its Sunday
    ['2025-12-29', '2026-W01', '2025-12-29'], // week 1 of 2026 starts in 2025
    ['2026-01-04', '2026-W01', '2025-12-29'],
    ['2025-12-28', '2025-W52', '2025-12-22'],
    ['2027-01-01', '2026-W53', '2026-12-28'], // 2026 has 53 ISO weeks
    ['2026-03-29', '2026-W13', '2026-03-23'], // the spring DST change does not move the date
    ['2024-02-29', '2024-W09', '2024-02-26'],
  ])('%s lies in %s, which starts on %s', (date, isoWeek, weekStart) => {
    expect(isoWeekOf(date)).toEqual({ isoWeek, weekStart });
  });
});

describe('weeklyEvaluation', () => {
  it('sums the sessions of each ISO week and gives the utilisation with 2 decimals, oldest week first', () => {
    const weeks = weeklyEvaluation([
      { localDate: '2026-01-04', capacity: 10, booked: 5, walkIns: 2, noShows: 3 },
      { localDate: '2025-12-28', capacity: 12, booked: 12, walkIns: 3, noShows: 0 },
      { localDate: '2025-12-29', capacity: 20, booked: 6, walkIns: 0, noShows: 1 },
    ]);
    expect(weeks).toEqual([
      { isoWeek: '2025-W52', weekStart: '2025-12-22', sessionsHeld: 1, capacity: 12, consultations: { booked: 12, walkIn: 3, total: 15 }, noShows: 0, utilisation: 1.25 },
      { isoWeek: '2026-W01', weekStart: '2025-12-29', sessionsHeld: 2, capacity: 30, consultations: { booked: 11, walkIn: 2, total: 13 }, noShows: 4, utilisation: 0.43 },
    ]);
  });

  it('is empty without sessions', () => {
    expect(weeklyEvaluation([])).toEqual([]);
  });
});
