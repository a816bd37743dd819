import { mergeIdentities } from './person';
import { parseStaff } from './people-directory';

describe('who signs in', () => {
  it('a GP who is also the contact person of a practice signs in once, with both roles', () => {
    expect(
      mergeIdentities([
        { id: 'practice-99001015', roles: ['practice'], name: 'Femke', practiceAgb: '99001015' },
        { id: 'gp-80010150', roles: ['gp'], gpAgb: '80010150', practiceAgb: '99001016' },
      ]),
    ).toEqual({ id: 'practice-99001015', name: 'Femke', roles: ['practice', 'gp'], practiceAgb: '99001015', gpAgb: '80010150' });
    expect(mergeIdentities([])).toBeUndefined();
  });

  it("a GP's own practice is not a practice role: only a contact person acts for a practice", () => {
    expect(mergeIdentities([{ id: 'gp-1', roles: ['gp'], gpAgb: '80010150', practiceAgb: '99001016' }])).toEqual({ id: 'gp-1', roles: ['gp'], gpAgb: '80010150' });
  });

  it('configured staff are coordination or finance only, with an id and an address', () => {
    expect(parseStaff('[{"id":"a","email":" Anna@Example.org ","roles":["coordination"]}]')).toEqual([{ id: 'a', email: 'anna@example.org', name: undefined, roles: ['coordination'] }]);
    expect(() => parseStaff('[{"id":"a","email":"a@example.org","roles":["practice"]}]')).toThrow(/coordination and\/or finance/);
    expect(() => parseStaff('[{"email":"a@example.org","roles":["finance"]}]')).toThrow(/id and email/);
    expect(() => parseStaff('nope')).toThrow(/JSON/);
  });
});
