/** A session that took place (not cancelled, already started), with what happened at it. */
export interface HeldSession {
  /** Its calendar date in Europe/Amsterdam. */
  localDate: string;
  capacity: number;
  /** Consultations of booked patients. */
  booked: number;
  walkIns: number;
  noShows: number;
}

export interface WeekEvaluation {
  /** ISO 8601 week, e.g. `2026-W01`. */
  isoWeek: string;
  /** The Monday the ISO week starts on (Europe/Amsterdam calendar date). */
  weekStart: string;
  sessionsHeld: number;
  capacity: number;
  consultations: { booked: number; walkIn: number; total: number };
  noShows: number;
  /** Consultations (booked and walk-in) per unit of capacity, 2 decimals; above 1 when walk-ins exceed free places. */
  utilisation: number;
}

const DAY_MS = 86_400_000;

/** The ISO week of a calendar date (`YYYY-MM-DD`): its Monday and its `YYYY-Www` name. */
export function isoWeekOf(localDate: string): { isoWeek: string; weekStart: string } {
  const day = new Date(`${localDate}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) throw new Error(`not a calendar date: ${localDate}`);
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  const monday = new Date(day.getTime() - weekday * DAY_MS);
  // The ISO year is the year of the week's Thursday; week 1 is the week with the year's first Thursday.
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return { isoWeek: `${year}-W${String(week).padStart(2, '0')}`, weekStart: monday.toISOString().slice(0, 10) };
}

/** Sessions held, grouped per ISO week, oldest week first. */
export function weeklyEvaluation(sessions: HeldSession[]): WeekEvaluation[] {
  const weeks = new Map<string, WeekEvaluation>();
  for (const session of sessions) {
    const { isoWeek, weekStart } = isoWeekOf(session.localDate);
    let week = weeks.get(weekStart);
    if (!week) {
      week = { isoWeek, weekStart, sessionsHeld: 0, capacity: 0, consultations: { booked: 0, walkIn: 0, total: 0 }, noShows: 0, utilisation: 0 };
      weeks.set(weekStart, week);
    }
    week.sessionsHeld += 1;
    week.capacity += session.capacity;
    week.consultations.booked += session.booked;
    week.consultations.walkIn += session.walkIns;
    week.consultations.total += session.booked + session.walkIns;
    week.noShows += session.noShows;
  }
  return [...weeks.values()]
    .sort((a, b) => a.weekStart.localeCompare(b.weekStart))
    .map((week) => ({ ...week, utilisation: week.capacity > 0 ? Math.round((week.consultations.total / week.capacity) * 100) / 100 : 0 }));
}
