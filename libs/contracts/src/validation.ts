import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { fastVerdict } from './compiled-validation';

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
  // Valid values (nearly all of them on Kafka) take the fast path; anything else gets the
  // full class-validator run, for its field errors.
  const fast = fastVerdict(cls, plain);
  if (fast === 'valid') return { ok: true, value: plain as T };
  const instance = plainToInstance(cls as never, plain) as T;
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) return { ok: false, errors: flattenValidationErrors(errors) };
  if (fast !== 'unmodelled') {
    // class-validator lets a list stand in for a nested object; the contracts do not.
    return { ok: false, errors: [{ field: fast.refused, messages: [`${fast.refused || 'value'} must be an object of the contract's shape (a list of such objects where a list is asked)`] }] };
  }
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
