import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CATALOG, contractForType } from './catalog';
import { parseEventType } from './envelope';
import { validateEnvelope } from './envelope-validation';
import { fixtureFileName, shapeOf } from './fixtures';
import { ALL_TOPICS, deadLetterTopicOf } from './topics';
import { isCalendarDate } from './common';
import { isValidBsn, personalDataIn } from './personal-data';

const fixturesDir = join(__dirname, '..', 'fixtures');
const load = (file: string) => JSON.parse(readFileSync(join(fixturesDir, file), 'utf8'));

describe('event catalog', () => {
  it('has a committed fixture for every event version, and no fixture without a contract', () => {
    const expected = EVENT_CATALOG.map(fixtureFileName).sort();
    expect(readdirSync(fixturesDir).filter((f) => f.endsWith('.json')).sort()).toEqual(expected);
  });

  it.each(EVENT_CATALOG.map((c) => [c.type, c] as const))('%s: the fixture is accepted on the consuming side', (_type, contract) => {
    const fixture = load(fixtureFileName(contract));
    const result = validateEnvelope(fixture);
    expect(result).toMatchObject({ ok: true });
    expect(fixture.type).toBe(contract.type);
    expect(fixture.subject).toBe(contract.subjectOf(fixture.data));
  });

  it('names every type nl.draaiboek.<context>.<EventName>.v<major>, unique, on a topic of the registry', () => {
    const types = EVENT_CATALOG.map((c) => c.type);
    expect(new Set(types).size).toBe(types.length);
    for (const contract of EVENT_CATALOG) {
      expect(parseEventType(contract.type)).toEqual(expect.objectContaining({ name: contract.name, major: contract.major }));
      expect(ALL_TOPICS).toContain(contract.topic);
      expect(contractForType(contract.type)).toBe(contract);
    }
  });

  it('puts the major version in every topic name and gives each a dead-letter twin', () => {
    for (const topic of ALL_TOPICS) {
      expect(topic.name).toMatch(/\.v\d+$/);
      expect(deadLetterTopicOf(topic.name)).toBe(`${topic.name}.dlq`);
    }
  });
});

describe('envelope validation (what every consumer applies)', () => {
  const fixture = () => load('RefugeeGroupArrived.v1.json');

  it('accepts the CloudEvents envelope with its data', () => {
    expect(validateEnvelope(fixture()).ok).toBe(true);
  });

  it('rejects an envelope without specversion 1.0', () => {
    expect(validateEnvelope({ ...fixture(), specversion: '0.3' })).toMatchObject({ ok: false, reason: 'malformed-envelope' });
  });

  it('rejects an unknown event type', () => {
    expect(validateEnvelope({ ...fixture(), type: 'nl.draaiboek.intake.SomethingElse.v1' })).toMatchObject({
      ok: false,
      reason: 'unknown-event-type',
    });
  });

  it('rejects data that breaks the contract, naming the field', () => {
    const event = fixture();
    event.data.headcount = 10001;
    const result = validateEnvelope(event);
    expect(result).toMatchObject({ ok: false, reason: 'invalid-data' });
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['data.headcount']);
  });

  it('rejects fields the contract does not know (a typo must not drop data silently)', () => {
    const event = fixture();
    event.data.headcuont = 3;
    expect(validateEnvelope(event)).toMatchObject({ ok: false, reason: 'invalid-data' });
  });

  it('rejects a subject that is not the aggregate id (it is the Kafka key that keeps order)', () => {
    expect(validateEnvelope({ ...fixture(), subject: 'c3b2a190-8e7d-4c6b-9a58-473625140312' })).toMatchObject({
      ok: false,
      reason: 'subject-mismatch',
    });
  });

  it('does not accept a BSN or a name inside a group event', () => {
    const event = fixture();
    event.data.bsn = '123456782';
    expect(validateEnvelope(event).ok).toBe(false);
  });
});

describe('shapeOf', () => {
  it('tells apart values that differ in a field or a type', () => {
    expect(shapeOf({ a: 1, b: { c: 'x' } })).toEqual(shapeOf({ b: { c: 'y' }, a: 2 }));
    expect(shapeOf({ a: 1 })).not.toEqual(shapeOf({ a: '1' }));
    expect(shapeOf({ a: 1 })).not.toEqual(shapeOf({ a: 1, b: 2 }));
  });
});

describe('calendar dates', () => {
  it('accepts real dates only', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-04-31')).toBe(false);
    expect(isCalendarDate('2026-4-3')).toBe(false);
  });

  it('an arrival dated on a day that does not exist is refused by the contract', () => {
    const event = load('RefugeeGroupArrived.v1.json');
    event.data.arrivalDate = '2026-02-30';
    const result = validateEnvelope(event);
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['data.arrivalDate']);
  });
});

describe('shapeOf on lists', () => {
  it('treats a list by the shape of its elements, not their number', () => {
    expect(shapeOf({ gps: [{ a: 1 }, { a: 2 }] })).toEqual(shapeOf({ gps: [{ a: 3 }] }));
    expect(shapeOf({ gps: [{ a: 1 }] })).not.toEqual(shapeOf({ gps: [{ a: '1' }] }));
  });
});

describe('no personal data in plaintext on Kafka: every contract fixture', () => {
  it.each(EVENT_CATALOG.map((c) => [fixtureFileName(c)] as const))('%s carries no BSN, name, birth date or plaintext reference', (file) => {
    expect(personalDataIn(load(file))).toEqual([]);
  });

  it('the check finds what it looks for: a BSN anywhere, a personal field, a known value; not ciphertext or pseudonyms', () => {
    expect(personalDataIn({ data: { note: 'patient 123456782 seen' } })).toEqual([expect.objectContaining({ path: '$.data.note', kind: 'bsn' })]);
    expect(personalDataIn({ data: { reference: 123456782 } })).toEqual([expect.objectContaining({ kind: 'bsn' })]);
    expect(personalDataIn({ data: { dateOfBirth: '1990-01-01' } })).toEqual([expect.objectContaining({ kind: 'personal-field' })]);
    expect(personalDataIn({ msg: 'mail to Dokter Jansen' }, ['dokter jansen'])).toEqual([expect.objectContaining({ kind: 'known-value' })]);
    // Not a BSN: fails the 11-check, part of a longer number or of base64/hex.
    expect(personalDataIn({ a: '123456789', b: '1234567820', c: 'q+123456782/x', d: 'ab123456782cd', encryptedBsn: { ciphertext: '123456782' } })).toEqual([]);
    expect(isValidBsn('111222333')).toBe(true);
  });
});
