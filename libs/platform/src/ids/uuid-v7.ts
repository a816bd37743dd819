import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_SIZE = 16 * 256;
let pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

/**
 * A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix time in milliseconds, the version
 * (7), 74 random bits with the variant bits (10) in between. Ids made later sort after earlier
 * ones (to the millisecond), so rows keyed by them are appended to the right of a B-tree
 * instead of landing on a random page: an index of them stays small in memory while the table
 * grows. Not a secret and not unguessable in its first 48 bits: use it for row ids, never for
 * tokens. Used by declarations (lines, batches) and clinic-scheduling (consultations, decision
 * 0040); other services keep random UUIDs (v4).
 */
export function uuidV7(now: number = Date.now()): string {
  if (poolOffset + 10 > POOL_SIZE) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    poolOffset = 0;
  }
  const r = pool;
  const o = poolOffset;
  poolOffset += 10;
  // The 48-bit milliseconds, a byte at a time (above 2^32, so the upper 16 bits by division).
  const upper = Math.floor(now / 0x100000000);
  const lower = now >>> 0;
  return (
    HEX[(upper >>> 8) & 0xff] + HEX[upper & 0xff] + HEX[lower >>> 24] + HEX[(lower >>> 16) & 0xff] + '-' +
    HEX[(lower >>> 8) & 0xff] + HEX[lower & 0xff] + '-' +
    HEX[0x70 | (r[o] & 0x0f)] + HEX[r[o + 1]] + '-' +
    HEX[0x80 | (r[o + 2] & 0x3f)] + HEX[r[o + 3]] + '-' +
    HEX[r[o + 4]] + HEX[r[o + 5]] + HEX[r[o + 6]] + HEX[r[o + 7]] + HEX[r[o + 8]] + HEX[r[o + 9]]
  );
}
