/**
 * The Dutch citizen service number (BSN): 9 digits passing the 11-check (elfproef),
 * 9·d1 + 8·d2 + 7·d3 + 6·d4 + 5·d5 + 4·d6 + 3·d7 + 2·d8 − 1·d9 ≡ 0 (mod 11), and not all zeros.
 * An 8-digit BSN is written with a leading zero.
 */
export function isValidBsn(bsn: unknown): boolean {
  if (typeof bsn !== 'string' || !/^\d{9}$/.test(bsn) || bsn === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(bsn[i]);
  sum -= Number(bsn[8]);
  return sum % 11 === 0;
}
