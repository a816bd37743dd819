/** GPs needed to hold `capacity` consultations in a session of `minutes`. At least one. */
export function gpSlotsFor(capacity: number, minutes: number, consultationsPerGpHour: number): number {
  const perGp = Math.max(1, Math.floor((minutes / 60) * consultationsPerGpHour));
  return Math.max(1, Math.ceil(capacity / perGp));
}
