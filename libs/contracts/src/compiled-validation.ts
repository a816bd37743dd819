import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, IS_ISO8601, IS_LENGTH, MATCHES, ValidationArguments, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/**
 * A fast verdict on a plain value, from the same class-validator metadata and the same
 * constraint functions as `validateSync`, without its per-call costs (metadata lookups and
 * grouping, class-transformer's copy into instances, error objects). When it refuses a value,
 * or a class uses anything it does not model, the caller runs the full class-validator path,
 * which gives the field errors. The contracts test compares both on every fixture and on
 * mutations of every field (libs/contracts/src/compiled-validation.spec.ts).
 *
 * It is stricter than class-validator in one respect, on purpose: a nested contract object must
 * be an object, and a list of them a list of objects. class-validator accepts `[]` (or a list)
 * where one nested object is required, which would reach handlers as a location without a
 * postcode.
 */
type Check = (value: unknown, object: Record<string, unknown>) => boolean;

interface PropertyPlan {
  name: string;
  /** IsOptional and the like: when one says no, the property's other checks are skipped. */
  conditions: Array<(object: object, value: unknown) => boolean>;
  checks: Check[];
  nested?: { plan: () => ClassPlan | null; each: boolean };
}

interface ClassPlan {
  properties: PropertyPlan[];
  known: Set<string>;
}

type Constructor = new (...args: never[]) => object;

const plans = new Map<Constructor, ClassPlan | null>();

/** True when `plain` is valid for `cls`; false when it is not, or when this class is not modelled. */
export function isValidFast(cls: Constructor, plain: unknown): boolean {
  return fastVerdict(cls, plain) === 'valid';
}

/**
 * 'valid', or the dotted path of the first field the fast path refuses ('' for the value
 * itself), or 'unmodelled' when this class needs the full class-validator run.
 */
export function fastVerdict(cls: Constructor, plain: unknown): 'valid' | 'unmodelled' | { refused: string } {
  const plan = planOf(cls);
  if (plan === null) return 'unmodelled';
  const refused = firstRefused(plan, plain, '');
  return refused === null ? 'valid' : { refused };
}

function firstRefused(plan: ClassPlan, value: unknown, path: string): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return path;
  // Plain loops, no closures or arrays per call: this runs for every event consumed.
  const object = value as Record<string, unknown>;
  // for-in, not Object.keys: no array per object (a decoded value has no inherited enumerable keys).
  for (const key in object) if (!plan.known.has(key)) return pathOf(path, key);
  properties: for (const property of plan.properties) {
    const v = object[property.name];
    for (const condition of property.conditions) if (!condition(object, v)) continue properties;
    for (const check of property.checks) if (!check(v, object)) return pathOf(path, property.name);
    if (property.nested && v !== undefined) {
      const nestedPlan = property.nested.plan();
      const at = pathOf(path, property.name);
      if (!nestedPlan) return at;
      if (!Array.isArray(v)) {
        const refused = firstRefused(nestedPlan, v, at);
        if (refused !== null) return refused;
        continue;
      }
      for (let i = 0; i < v.length; i++) {
        const refused = firstRefused(nestedPlan, v[i], `${at}.${i}`);
        if (refused !== null) return refused;
      }
    }
  }
  return null;
}

function pathOf(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function planOf(cls: Constructor): ClassPlan | null {
  if (plans.has(cls)) return plans.get(cls) as ClassPlan | null;
  plans.set(cls, null); // a class that refers to itself is not modelled
  const plan = compile(cls);
  plans.set(cls, plan);
  return plan;
}

function compile(cls: Constructor): ClassPlan | null {
  // class-transformer would give an instance its initialised fields; those classes go the full way.
  let sample: object;
  try {
    sample = new cls();
  } catch {
    return null;
  }
  // (Fields declared without an initialiser exist too, as undefined: they change nothing.)
  if (Object.values(sample).some((v) => v !== undefined)) return null;
  if (defaultMetadataStorage.getExposedMetadatas(cls).length > 0 || defaultMetadataStorage.getExcludedMetadatas(cls).length > 0) return null;

  const storage = getMetadataStorage();
  const metadatas: ValidationMetadata[] = storage.getTargetValidationMetadatas(cls, undefined as unknown as string, false, false);
  if (metadatas.length === 0) return null;
  const byProperty = storage.groupByPropertyName(metadatas);
  const properties: PropertyPlan[] = [];
  for (const [name, list] of Object.entries(byProperty)) {
    if (defaultMetadataStorage.findTransformMetadatas(cls, name, 2 /* PLAIN_TO_CLASS */).length > 0) return null;
    const property: PropertyPlan = { name, conditions: [], checks: [] };
    for (const m of list) {
      if (m.groups?.length || m.always) return null;
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        property.conditions.push(m.constraints[0]);
      } else if (m.type === ValidationTypes.CUSTOM_VALIDATION) {
        const constraints = storage.getTargetValidatorConstraints(m.constraintCls);
        if (constraints.length === 0 || constraints.some((c) => c.async)) return null;
        for (const c of constraints) property.checks.push(checkOf(cls, m, c.instance));
      } else if (m.type === ValidationTypes.NESTED_VALIDATION) {
        const type = defaultMetadataStorage.findTypeMetadata(cls, name);
        if (!type || type.options?.discriminator) return null;
        const target = type.typeFunction() as Constructor;
        if (target === undefined || [String, Number, Boolean, Date, Object, Array].includes(target as never)) return null;
        property.nested = { plan: () => planOf(target), each: m.each };
        // Not an object (nor, with `each`, an array): the nested validation fails.
        property.checks.push(m.each ? (v) => v === undefined || Array.isArray(v) : (v) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v)));
      } else {
        return null;
      }
    }
    // A property typed for class-transformer but not validated as nested would be converted.
    if (!property.nested && defaultMetadataStorage.findTypeMetadata(cls, name)) return null;
    properties.push(property);
  }
  const known = new Set(Object.keys(byProperty));
  // A declared field without validation would be refused by the whitelist even when absent.
  if (Object.keys(sample).some((key) => !known.has(key))) return null;
  return { properties, known };
}

function checkOf(
  cls: Constructor,
  m: ValidationMetadata,
  constraint: { validate(value: unknown, args?: ValidationArguments): unknown },
): Check {
  // One arguments object per check, filled in per call (constraints are synchronous and keep
  // nothing): this runs for every field of every event.
  const args: ValidationArguments = { targetName: cls.name, property: m.propertyName, object: {}, value: undefined, constraints: m.constraints };
  if (m.name === IS_LENGTH && !m.each) {
    // The same verdict as validator.js' isLength, which counts a surrogate pair or a variation
    // selector after a character as no extra length: without any of those characters that is
    // the string's length, found without the two global matches (and their arrays) per call.
    const [min, max] = m.constraints as [number | undefined, number | undefined];
    return (value, object) => {
      if (typeof value !== 'string') return false;
      if (!LENGTH_SPECIAL.test(value)) return value.length >= (min || 0) && (max === undefined || value.length <= max);
      args.object = object;
      args.value = value;
      return constraint.validate(value, args) === true;
    };
  }
  const pattern: unknown = m.constraints?.[0];
  if (m.name === MATCHES && !m.each && pattern instanceof RegExp && !pattern.global && !pattern.sticky) {
    // validator.js' matches is `!!value.match(pattern)`: for a pattern without the g or y flag
    // that is `pattern.test(value)`, without the array of the match.
    return (value) => typeof value === 'string' && pattern.test(value);
  }
  if (m.name === IS_ISO8601 && !m.each) {
    // A date and time in the one form services write (`2026-11-24T10:00:00.000Z`, or with an
    // offset) that is a real instant: validator.js' isISO8601 accepts it with any options (strict
    // or not, strict separator or not). Anything else gets validator.js' own verdict. The
    // validator matches the string against its patterns and builds a Date for every value.
    return (value, object) => {
      if (typeof value === 'string' && isPlainInstant(value)) return true;
      args.object = object;
      args.value = value;
      return constraint.validate(value, args) === true;
    };
  }
  if (!m.each) {
    return (value, object) => {
      args.object = object;
      args.value = value;
      return constraint.validate(value, args) === true;
    };
  }
  return (value, object) => {
    args.object = object;
    args.value = value;
    if (Array.isArray(value) || value instanceof Set || value instanceof Map) {
      const items = value instanceof Map ? [...value.values()] : [...(value as Iterable<unknown>)];
      return items.every((item) => constraint.validate(item, args) === true);
    }
    return constraint.validate(value, args) === true;
  };
}

/** Characters validator.js' isLength does not count one for one: surrogates and variation selectors. */
const LENGTH_SPECIAL = /[\uD800-\uDFFF]|\uFE0E|\uFE0F/;

const PLAIN_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` from the year 1000, naming a day that exists, hours to 23, minutes and seconds to 59, an offset to 23:59. */
export function isPlainInstant(value: string): boolean {
  if (!PLAIN_INSTANT.test(value)) return false;
  const at = (i: number) => (value.charCodeAt(i) - 48) * 10 + value.charCodeAt(i + 1) - 48;
  const year = at(0) * 100 + at(2);
  const month = at(5);
  const day = at(8);
  // (validator.js refuses some years before 1000 for how it builds its Date: those take its path.)
  if (year < 1000 || month < 1 || month > 12 || day < 1 || at(11) > 23 || at(14) > 59 || at(17) > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1])) return false;
  const end = value.length;
  return value.charCodeAt(end - 1) === 90 /* Z */ || (at(end - 5) <= 23 && at(end - 2) <= 59);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
