import { isValidBsn } from './bsn';

describe('isValidBsn: 9 digits and the 11-check (elfproef)', () => {
  it.each(['123456782', '111222333', '999999990', '012345672'])('accepts %s', (bsn) => {
    expect(isValidBsn(bsn)).toBe(true);
  });

  it.each([
    ['123456789', 'fails the 11-check'],
    ['123456783', 'one digit off'],
    ['213456782', 'two digits swapped'],
    ['000000000', 'all zeros passes the sum but is no BSN'],
    ['12345678', 'eight digits'],
    ['1234567820', 'ten digits'],
    ['12345678a', 'a letter'],
    ['123 456 782', 'spaces'],
    ['', 'empty'],
  ])('refuses %s (%s)', (bsn) => {
    expect(isValidBsn(bsn)).toBe(false);
  });

  it('refuses what is not a string', () => {
    expect(isValidBsn(123456782)).toBe(false);
    expect(isValidBsn(undefined)).toBe(false);
    expect(isValidBsn(null)).toBe(false);
  });
});
