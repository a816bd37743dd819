import { amsterdamDateOf, amsterdamToUtc, LocalTimeError } from './amsterdam';

describe('Europe/Amsterdam wall-clock times are stored as UTC', () => {
  it('winter time is UTC+1', () => {
    expect(amsterdamToUtc('2026-11-24', '09:00').toISOString()).toBe('2026-11-24T08:00:00.000Z');
  });

  it('summer time is UTC+2', () => {
    expect(amsterdamToUtc('2026-07-01', '09:00').toISOString()).toBe('2026-07-01T07:00:00.000Z');
  });

  it('a time skipped by the spring change does not exist', () => {
    expect(() => amsterdamToUtc('2026-03-29', '02:30')).toThrow(LocalTimeError);
    expect(amsterdamToUtc('2026-03-29', '03:00').toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('a time that occurs twice in autumn resolves to its first (summer-time) occurrence', () => {
    expect(amsterdamToUtc('2026-10-25', '02:30').toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('gives the Amsterdam calendar date of a UTC instant', () => {
    expect(amsterdamDateOf(new Date('2026-11-23T23:30:00Z'))).toBe('2026-11-24');
    expect(amsterdamDateOf(new Date('2026-11-23T22:59:59Z'))).toBe('2026-11-23');
  });

  it('rejects text that is not a date and time', () => {
    expect(() => amsterdamToUtc('24-11-2026', '9:00')).toThrow(LocalTimeError);
  });
});
