import bundled from './tariffs.nl.json';
import { TariffTable } from './tariff-table';

describe('tariffs: dated configuration per code and payer, in integer cents', () => {
  const table = TariffTable.fromJson(bundled);

  it('finds the tariff in force on the date of care', () => {
    expect(table.lookup('12000', 'RMO', '2026-11-23')).toEqual({ ok: true, amountCents: 1229, version: '2026-11-23' });
  });

  it('names an unknown code, and a date of care without a tariff', () => {
    expect(table.lookup('99999', 'RMO', '2026-11-23')).toMatchObject({ ok: false, reason: 'unknown-code' });
    expect(table.lookup('12000', 'RMO', '2027-01-01')).toMatchObject({ ok: false, reason: 'no-tariff' });
  });

  it('refuses a file with amounts that are not whole cents, or overlapping periods', () => {
    const base = { version: 'x', source: 's', performances: [{ code: '12000', description: 'c' }] };
    expect(() => TariffTable.fromJson({ ...base, tariffs: [{ code: '12000', payer: 'RMO', validFrom: '2026-01-01', amountCents: 12.29 }] })).toThrow(/amountCents/);
    expect(() =>
      TariffTable.fromJson({
        ...base,
        tariffs: [
          { code: '12000', payer: 'RMO', validFrom: '2026-01-01', validTo: '2026-12-31', amountCents: 1 },
          { code: '12000', payer: 'RMO', validFrom: '2026-06-01', amountCents: 2 },
        ],
      }),
    ).toThrow(/overlapping/);
  });
});
