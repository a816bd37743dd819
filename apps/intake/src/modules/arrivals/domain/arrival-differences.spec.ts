import { differencesBetween, normaliseName, normalisePostcode } from './arrival-differences';

describe('differences between two announcements under one reference', () => {
  it('names each differing field by its path, with both values', () => {
    const before = { headcount: 40, location: { name: 'AZC Emmen', postcode: '7811 AA' }, arrivalDate: '2026-11-20' };
    const after = { headcount: 45, location: { name: 'AZC Emmen', postcode: '7812 BB' }, arrivalDate: '2026-11-20' };
    expect(differencesBetween(before, after)).toEqual([
      { field: 'headcount', previous: 40, received: 45 },
      { field: 'location.postcode', previous: '7811 AA', received: '7812 BB' },
    ]);
  });

  it('reports a field present on one side only', () => {
    expect(differencesBetween({ headcount: 1 }, { headcount: 1, withBsnCount: 0 })).toEqual([
      { field: 'withBsnCount', previous: null, received: 0 },
    ]);
  });

  it('finds nothing between equal announcements', () => {
    expect(differencesBetween({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
  });
});

describe('canonical postcode and name', () => {
  it('writes a postcode as 1234 AB whatever the spacing or case', () => {
    expect(normalisePostcode('7811aa')).toBe('7811 AA');
    expect(normalisePostcode(' 7811  AA ')).toBe('7811 AA');
    expect(normalisePostcode('7811')).toBe('7811');
  });

  it('trims a name and folds its spaces', () => {
    expect(normaliseName('  AZC   Emmen ')).toBe('AZC Emmen');
  });
});
