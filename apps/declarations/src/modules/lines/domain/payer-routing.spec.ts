import { routePayer } from './payer-routing';

const withBsn = { bsnKnown: true, thirdCountryNational: false };
const withoutBsn = { bsnKnown: false, thirdCountryNational: false };
const thirdCountry = { bsnKnown: true, thirdCountryNational: true };

describe('payer routing by date of care and patient status, on each boundary date', () => {
  it('before 2022-07-01 the CAK pays, whatever the status', () => {
    for (const status of [withBsn, withoutBsn, thirdCountry]) expect(routePayer('2022-06-30', status).payer).toBe('CAK');
  });

  it('from 2022-07-01 the RMO pays for patients with a BSN', () => {
    expect(routePayer('2022-07-01', withBsn).payer).toBe('RMO');
    expect(routePayer('2026-11-23', withBsn).payer).toBe('RMO');
  });

  it('the CAK pays for patients without a BSN', () => {
    expect(routePayer('2022-07-01', withoutBsn).payer).toBe('CAK');
    expect(routePayer('2026-11-23', withoutBsn).payer).toBe('CAK');
  });

  it("third-country nationals go to the CAK's scheme for uninsurable foreigners from 2024-03-04, and to the RMO the day before", () => {
    expect(routePayer('2024-03-03', thirdCountry).payer).toBe('RMO');
    expect(routePayer('2024-03-04', thirdCountry).payer).toBe('CAK-OVV');
    expect(routePayer('2024-03-04', { bsnKnown: false, thirdCountryNational: true }).payer).toBe('CAK-OVV');
  });
});
