import { randomUUID } from 'node:crypto';
import { createEnvelope, EventEnvelope, RefugeeGroupArrived, RefugeeGroupArrivedV1 } from '@draaiboek/contracts';

/** A RefugeeGroupArrived as intake publishes it, for a group in Assen; fields overridable. */
export function arrivedEvent(overrides: Partial<RefugeeGroupArrivedV1> = {}): EventEnvelope<RefugeeGroupArrivedV1> {
  const groupId = overrides.groupId ?? randomUUID();
  return createEnvelope({
    type: RefugeeGroupArrived.v1.type,
    source: '/draaiboek/intake',
    subject: groupId,
    data: {
      groupId,
      municipalityCode: 'GM0106',
      reference: `ASN-${groupId.slice(0, 8)}`,
      location: { locationId: randomUUID(), name: 'Opvang Assen', postcode: '9401 AB', pc4: '9401', kind: 'reception-centre' },
      headcount: 30,
      arrivalDate: '2026-11-21',
      ...overrides,
    },
  });
}
