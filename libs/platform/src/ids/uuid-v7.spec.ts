import { uuidV7 } from './uuid-v7';

describe('uuidV7: time-ordered ids (RFC 9562 version 7)', () => {
  it('carries the Unix time in milliseconds in its first 48 bits, version 7 and the RFC variant', () => {
    const at = Date.parse('2026-12-06T07:00:00.123Z');
    const id = uuidV7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts later ids after earlier ones, as text and as Postgres uuids compare', () => {
    const ids = [0, 1, 255, 256, 65_535, 2 ** 32, Date.parse('2026-01-01T00:00:00Z'), 2 ** 48 - 1].map((t) => uuidV7(t));
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0].startsWith('00000000-0000-7')).toBe(true);
    expect(ids[ids.length - 1].startsWith('ffffffff-ffff-7')).toBe(true);
  });

  it('is random after the timestamp: a million ids in the same millisecond are all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i += 1) seen.add(uuidV7(1_800_000_000_000));
    expect(seen.size).toBe(1_000_000);
  });
});
