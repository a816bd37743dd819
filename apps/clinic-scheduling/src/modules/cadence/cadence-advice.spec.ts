import { cadenceAdvice } from './cadence-advice';

const week = (weekStart: string, utilisation: number, sessionsHeld = 5) => ({
  isoWeek: 'x',
  weekStart,
  sessionsHeld,
  capacity: 80,
  consultations: { booked: 0, walkIn: 0, total: Math.round(utilisation * 80) },
  noShows: 0,
  utilisation,
});
const options = { threshold: 0.6, reducedWeekdays: [1, 3, 5], currentWeekStart: '2026-11-23' };

describe('rule 8: the cadence of a central consultation hour is evaluated', () => {
  it('recommends three days a week after two consecutive weeks under the threshold', () => {
    const advice = cadenceAdvice([week('2026-11-02', 0.9), week('2026-11-09', 0.5), week('2026-11-16', 0.4)], [1, 2, 3, 4, 5], options);
    expect(advice).toMatchObject({ recommend: true, proposedWeekdays: [1, 3, 5] });
    expect(advice.recommend && advice.basedOn.map((w) => w.weekStart)).toEqual(['2026-11-09', '2026-11-16']);
  });

  it('does not recommend after only one quiet week, or when one of the two was busy', () => {
    expect(cadenceAdvice([week('2026-11-16', 0.3)], [1, 2, 3, 4, 5], options).recommend).toBe(false);
    expect(cadenceAdvice([week('2026-11-09', 0.7), week('2026-11-16', 0.3)], [1, 2, 3, 4, 5], options).recommend).toBe(false);
  });

  it('ignores the week in progress and needs consecutive weeks', () => {
    expect(cadenceAdvice([week('2026-11-16', 0.3), week('2026-11-23', 0.1)], [1, 2, 3, 4, 5], options).recommend).toBe(false);
    expect(cadenceAdvice([week('2026-11-02', 0.3), week('2026-11-16', 0.3)], [1, 2, 3, 4, 5], options).recommend).toBe(false);
  });

  it('recommends nothing when the cadence is already three days', () => {
    expect(cadenceAdvice([week('2026-11-09', 0.2), week('2026-11-16', 0.2)], [1, 3, 5], options).recommend).toBe(false);
  });
});
