import { WeekEvaluation } from '../consultations/domain/weekly-evaluation';

/**
 * Rule 8: a central consultation hour starts daily; when utilisation stays under the threshold
 * for two consecutive complete weeks, fewer days a week are recommended (three, by default).
 */
export function cadenceAdvice(
  weeks: WeekEvaluation[],
  currentWeekdays: number[],
  options: { threshold: number; reducedWeekdays: number[]; currentWeekStart: string },
): { recommend: true; basedOn: WeekEvaluation[]; proposedWeekdays: number[] } | { recommend: false; why: string } {
  if (currentWeekdays.length <= options.reducedWeekdays.length) return { recommend: false, why: `the cadence has ${currentWeekdays.length} days a week already` };
  const complete = weeks.filter((w) => w.weekStart < options.currentWeekStart && w.sessionsHeld > 0);
  const lastTwo = complete.slice(-2);
  if (lastTwo.length < 2) return { recommend: false, why: 'fewer than two complete weeks of sessions to judge' };
  const consecutive = Date.parse(lastTwo[1].weekStart) - Date.parse(lastTwo[0].weekStart) === 7 * 86_400_000;
  if (!consecutive) return { recommend: false, why: 'the last two weeks with sessions are not consecutive' };
  if (lastTwo.some((w) => w.utilisation >= options.threshold)) {
    return { recommend: false, why: `utilisation ${lastTwo.map((w) => w.utilisation).join(' and ')} is not under ${options.threshold} in both weeks` };
  }
  return { recommend: true, basedOn: lastTwo, proposedWeekdays: options.reducedWeekdays.filter((d) => currentWeekdays.includes(d)).length ? options.reducedWeekdays : currentWeekdays.slice(0, options.reducedWeekdays.length) };
}
