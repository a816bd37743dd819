import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EVENT_CATALOG } from './catalog';
import fc from 'fast-check';
import isISO8601 from 'validator/lib/isISO8601';
import { isPlainInstant, isValidFast } from './compiled-validation';
import { validateEnvelope } from './envelope-validation';
import { fixtureFileName } from './fixtures';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What class-validator itself says, exactly as the contracts validate (the reference). */
function referenceVerdict(cls: new () => object, plain: unknown): boolean {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return false;
  const instance = plainToInstance(cls as never, plain) as object;
  return validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }).length === 0;
}

const REPLACEMENTS: Json[] = [
  ...[null, 0, -1, 1.5, 1e9, '', 'x', 'a'.repeat(600), true, false, [], {}, ['x'], { unknown: 1 }, '2026-02-30', '2026-11-24T10:00:00Z', '00000000-0000-4000-8000-000000000000'],
  // Lengths at the bounds the contracts use, and characters isLength does not count one for one.
  ...[1, 2, 100, 101, 200, 201, 500, 501].map((n) => 'a'.repeat(n)),
  ...['😀'.repeat(150), '😀'.repeat(201), 'x\uFE0F'.repeat(120), '\uFE0F'.repeat(3), '\uD800'.repeat(3)],
];

/** Every variant of `value` with one field removed, replaced or added, at every depth. */
function* mutations(value: Json): Generator<Json> {
  if (Array.isArray(value)) {
    yield [];
    yield [...value, ...value];
    for (let i = 0; i < value.length; i += 1) {
      for (const m of mutations(value[i])) yield value.map((v, k) => (k === i ? m : v));
      for (const r of REPLACEMENTS) yield value.map((v, k) => (k === i ? r : v));
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  yield { ...value, notInTheContract: 'x' };
  for (const key of Object.keys(value)) {
    const { [key]: _removed, ...without } = value;
    yield without;
    for (const r of REPLACEMENTS) yield { ...value, [key]: r };
    for (const m of mutations(value[key])) yield { ...value, [key]: m };
  }
}

/** A list where the contracts have one nested object, or a list of lists: refused on purpose. */
function listInPlaceOfObject(value: Json): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some((v) => (Array.isArray(v) && (v.length === 0 || v.some((e) => Array.isArray(e) || typeof e !== 'object'))) || listInPlaceOfObject(v));
}

describe('fast validation agrees with class-validator', () => {
  const fixtures = EVENT_CATALOG.map((contract) => ({
    contract,
    envelope: JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', fixtureFileName(contract)), 'utf8')) as { data: Json },
  }));

  it.each(fixtures.map((f) => [f.contract.type, f] as const))('%s: the fixture takes the fast path', (_type, { contract, envelope }) => {
    expect(isValidFast(contract.dataClass as never, envelope.data)).toBe(true);
  });

  it.each(fixtures.map((f) => [f.contract.type, f] as const))(
    '%s: every mutation of every field gets the same verdict on both paths',
    (_type, { contract, envelope }) => {
      const disagreements: string[] = [];
      let tried = 0;
      let refused = 0;
      for (const variant of mutations(envelope.data)) {
        tried += 1;
        const reference = referenceVerdict(contract.dataClass as never, variant);
        if (!reference) refused += 1;
        const fast = isValidFast(contract.dataClass as never, variant);
        // Equal verdicts, except where class-validator lets a list stand in for a nested object.
        if (fast !== reference && !(reference && listInPlaceOfObject(variant))) disagreements.push(JSON.stringify(variant).slice(0, 300));
      }
      expect(disagreements).toEqual([]);
      expect(tried).toBeGreaterThan(20);
      expect(refused).toBeGreaterThan(0); // the mutations do reach the rules
    },
  );

  it('refuses a list where the contract has one nested object, naming the field (class-validator alone accepts it)', () => {
    const { contract, envelope } = fixtures.find((f) => f.contract.name === 'RefugeeGroupArrived')!;
    expect(referenceVerdict(contract.dataClass as never, { ...(envelope.data as object), location: [] })).toBe(true);
    const result = validateEnvelope({ ...envelope, data: { ...(envelope.data as object), location: [] } });
    expect(result).toMatchObject({ ok: false, reason: 'invalid-data', errors: [{ field: 'data.location' }] });
  });

  it("gives the envelope's lengths class-validator's verdict, also for characters isLength does not count one for one", () => {
    const { envelope } = fixtures.find((f) => f.contract.name === 'ConsultationRecorded')!;
    const verdict = (correlationid: string) => validateEnvelope({ ...envelope, correlationid }).ok;
    expect([verdict('a'.repeat(200)), verdict('a'.repeat(201)), verdict('')]).toEqual([true, false, false]);
    // A surrogate pair counts as one character, as does a character with its variation selector.
    expect([verdict('😀'.repeat(200)), verdict('😀'.repeat(201)), verdict('x\uFE0F'.repeat(200)), verdict('x\uFE0F'.repeat(201))]).toEqual([true, false, true, false]);
  });

  it('keeps the field errors of class-validator for invalid events (the fast path only accepts)', () => {
    const { envelope } = fixtures.find((f) => f.contract.name === 'ConsultationRecorded')!;
    const result = validateEnvelope({ ...envelope, data: { ...(envelope.data as object), performanceCode: 'abc', extra: 1 } });
    expect(result).toMatchObject({ ok: false, reason: 'invalid-data' });
    if (result.ok) return;
    expect(result.errors.map((e) => e.field).sort()).toEqual(['data.extra', 'data.performanceCode']);
  });

  it("decides dates and times of the services' own form as validator.js' isISO8601 does, with any of its options", () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const instant = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        two(19), // months to 19, days to 39, hours to 29, minutes and seconds to 69: past every bound
        two(39),
        two(29),
        two(69),
        two(69),
        fc.option(fc.stringMatching(/^\.\d{1,9}$/), { nil: '' }),
        fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), two(29), two(69)).map(([sign, h, m]) => `${sign}${h}:${m}`)),
      )
      .map(([y, mo, d, h, mi, s, fraction, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${zone}`);
    const accepted: string[] = [];
    fc.assert(
      fc.property(instant, (value) => {
        const fast = isPlainInstant(value);
        if (fast) accepted.push(value);
        // From the year 1000 the same verdict; before it, always validator.js' own path.
        expect(fast).toBe(value >= '1000' && isISO8601(value, { strict: true }));
        // What the fast path accepts, validator.js accepts whatever the options.
        if (fast) expect([isISO8601(value), isISO8601(value, { strict: true, strictSeparator: true })]).toEqual([true, true]);
      }),
      { numRuns: 20_000 },
    );
    expect(accepted.length).toBeGreaterThan(1000);
    // Leap days, month ends and offsets at their bounds.
    const cases = ['0999-01-01T00:00:00Z', '1000-01-01T00:00:00Z', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '1900-02-29T12:00:00Z', '2000-02-29T12:00:00Z', '2026-04-31T10:00:00Z', '2026-12-31T23:59:59.999999999+23:59', '2026-11-24T10:00:00+24:00', '2026-11-24T24:00:00Z', '2026-11-24t10:00:00z', '2026-11-24 10:00:00Z', '2026-11-24T10:00Z'];
    expect(cases.map(isPlainInstant)).toEqual(cases.map((c) => c >= '1000' && isISO8601(c, { strict: true }) && /T\d\d:\d\d:\d\d/.test(c) && /Z$|[+-]\d\d:\d\d$/.test(c)));
  });
});
