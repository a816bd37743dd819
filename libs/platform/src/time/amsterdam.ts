/**
 * Dates and times are entered and shown in Europe/Amsterdam and stored as UTC instants.
 * Node ships full ICU, so Intl knows the zone's DST rules; no date library is needed.
 */
export const REGION_TIME_ZONE = 'Europe/Amsterdam';

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: REGION_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function partsInAmsterdam(instant: Date): LocalParts {
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

function offsetMinutesAt(instant: Date): number {
  const p = partsInAmsterdam(instant);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

export class LocalTimeError extends Error {}

/**
 * `2026-03-29`, `02:30` in Amsterdam -> the UTC instant. A wall-clock time skipped by the
 * spring DST change does not exist and is rejected; an autumn time that occurs twice
 * resolves to the first (summer-time) occurrence.
 */
export function amsterdamToUtc(date: string, time: string): Date {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!d || !t) throw new LocalTimeError(`not a local date and time: ${date} ${time}`);
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3] ?? 0));
  // Try both offsets the zone uses (+01:00, +02:00); keep those that map back to the same wall time.
  const candidates = [120, 60]
    .map((offset) => new Date(wall - offset * 60000))
    .filter((instant) => offsetMinutesAt(instant) * 60000 === wall - instant.getTime());
  if (candidates.length === 0) throw new LocalTimeError(`${date} ${time} does not exist in ${REGION_TIME_ZONE} (DST change)`);
  return candidates[0];
}

/** The calendar date (YYYY-MM-DD) of an instant in Amsterdam. */
export function amsterdamDateOf(instant: Date): string {
  const p = partsInAmsterdam(instant);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}
