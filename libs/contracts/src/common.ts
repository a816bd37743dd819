import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';
/** Validation patterns shared by several contracts. */
export const CBS_MUNICIPALITY_CODE = /^GM\d{4}$/;
/**
 * A Dutch postcode (`1234 AB`, `1234ab`) or only its four digits (PC4). The letter pairs
 * SA, SD and SS are never issued.
 */
export const DUTCH_POSTCODE_OR_PC4 = /^[1-9]\d{3}(\s?(?![sS][aAdDsS])[a-zA-Z]{2})?$/;
export const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export const LOCATION_KINDS = ['reception-centre', 'neighbourhood'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

/** `1234 AB` / `1234ab` -> `1234`. */
export function pc4Of(postcode: string): string {
  return postcode.trim().slice(0, 4);
}

export const IS_CALENDAR_DATE = 'isCalendarDate';

/** `YYYY-MM-DD` that exists on the calendar: 2026-02-30 is refused, 2028-02-29 accepted. */
export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  // Called for every date on every event: arithmetic, not a Date and its ISO text.
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_CALENDAR_DATE,
      validator: {
        validate: (value) => isCalendarDate(value),
        defaultMessage: buildMessage((each) => `${each}$property must be a calendar date (YYYY-MM-DD)`, options),
      },
    },
    options,
  );
}
