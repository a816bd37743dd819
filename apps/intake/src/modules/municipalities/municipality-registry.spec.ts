import bundled from './municipalities.nl.json';
import { MunicipalityRegistry } from './municipality-registry';

describe('municipality registry (CBS codes with validity dates)', () => {
  const registry = MunicipalityRegistry.fromJson(bundled);

  it("knows Drenthe's twelve municipalities", () => {
    const drenthe = bundled.municipalities.filter((m) => m.province === 'Drenthe');
    expect(drenthe).toHaveLength(12);
    expect(registry.check('GM0114', '2026-11-23')).toEqual({ ok: true, name: 'Emmen' });
    expect(registry.check('GM0106', '2026-11-23')).toEqual({ ok: true, name: 'Assen' });
  });

  it('rejects an unknown code', () => {
    expect(registry.check('GM9999', '2026-11-23')).toMatchObject({ ok: false, message: expect.stringContaining('not a known municipality') });
  });

  it('rejects a code that ended with a merger, naming its successor', () => {
    const result = registry.check('GM0370', '2026-11-23');
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.message).toContain('GM0439 (Purmerend)');
    expect(registry.check('GM0370', '2021-12-31')).toEqual({ ok: true, name: 'Beemster' });
  });

  it('refuses a registry file with a duplicate or malformed code', () => {
    expect(() => MunicipalityRegistry.fromJson({ source: 's', version: 'v', municipalities: [{ code: 'GM1', name: 'x' }] })).toThrow(/code/);
    const twice = { code: 'GM0001', name: 'x' };
    expect(() => MunicipalityRegistry.fromJson({ source: 's', version: 'v', municipalities: [twice, twice] })).toThrow(/twice/);
  });
});
