/**
 * Who pays for GP care given to refugees from Ukraine (../shared/DOMAIN.md), as dated rules,
 * first match wins. Routes by date of care and the patient's payer-relevant status.
 */
export type Payer = 'CAK' | 'RMO' | 'CAK-OVV';

export interface PayerStatus {
  bsnKnown: boolean;
  thirdCountryNational: boolean;
}

export interface RoutingRule {
  payer: Payer;
  /** Inclusive; absent: no lower bound. */
  validFrom?: string;
  /** Inclusive; absent: still valid. */
  validTo?: string;
  when?: Partial<PayerStatus>;
  scheme: string;
}

/** The rules in force, dated. Kept as data: a new scheme is a new rule with its dates. */
export const PAYER_RULES: readonly RoutingRule[] = [
  { payer: 'CAK', validTo: '2022-06-30', scheme: 'CAK: uninsured people (until the RMO started)' },
  { payer: 'CAK-OVV', validFrom: '2024-03-04', when: { thirdCountryNational: true }, scheme: 'CAK: uninsurable foreigners (third-country nationals who fled Ukraine)' },
  { payer: 'CAK', validFrom: '2022-07-01', when: { bsnKnown: false }, scheme: 'CAK: patients without a BSN' },
  { payer: 'RMO', validFrom: '2022-07-01', when: { bsnKnown: true }, scheme: 'RMO (Regeling Medische zorg Ontheemden uit Oekraïne), through the insurer that runs it' },
];

export function routePayer(dateOfCare: string, status: PayerStatus, rules: readonly RoutingRule[] = PAYER_RULES): RoutingRule {
  for (const rule of rules) {
    if (rule.validFrom && dateOfCare < rule.validFrom) continue;
    if (rule.validTo && dateOfCare > rule.validTo) continue;
    if (rule.when?.bsnKnown !== undefined && rule.when.bsnKnown !== status.bsnKnown) continue;
    if (rule.when?.thirdCountryNational !== undefined && rule.when.thirdCountryNational !== status.thirdCountryNational) continue;
    return rule;
  }
  throw new Error(`no payer rule covers care on ${dateOfCare} for ${JSON.stringify(status)}`);
}
