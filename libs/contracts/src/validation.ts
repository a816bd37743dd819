import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `location.postcode`. */
  field: string;
  messages: string[];
}

export type ClassOf<T> = new (...args: never[]) => T;

export type ValidationOutcome<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * The one validation routine for contracts: unknown fields are errors (a typo must
 * not silently drop data), nested objects are validated, and errors carry field paths.
 */
export function validateAgainst<T extends object>(cls: ClassOf<T>, plain: unknown): ValidationOutcome<T> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, errors: [{ field: '', messages: ['must be a JSON object'] }] };
  }
  const instance = plainToInstance(cls as never, plain) as T;
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) return { ok: false, errors: flattenValidationErrors(errors) };
  return { ok: true, value: instance };
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      out.push({ field, messages: Object.values(error.constraints) });
    }
    if (error.children && error.children.length > 0) {
      out.push(...flattenValidationErrors(error.children, field));
    }
  }
  return out;
}

export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field || '(root)'}: ${e.messages.join('; ')}`).join(' | ');
}
