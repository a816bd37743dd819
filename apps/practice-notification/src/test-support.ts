import { randomUUID } from 'node:crypto';
import {
  createEnvelope,
  EventContract,
  RefugeeGroupArrived,
  RefugeeGroupArrivedV1,
} from '@draaiboek/contracts';
import { KafkaProbe, TestApiKey } from '@draaiboek/messaging/testing';

/** A small directory inside the Drenthe demo region: A and B cover 7811 (Emmen), C covers 9401 (Assen). */
export const PRACTICES_CSV = [
  'agb,name,street,postcode,city,latitude,longitude,hagro,wagro,catchment,contact_name,contact_email',
  '99000001,Praktijk A (test),Hoofdstraat 1,7811 AB,Emmen,52.78,6.89,EMMEN-ZUID,WAGRO-EMMEN,7811 7812,Contact A,a@example.org',
  '99000002,Praktijk B (test),Brink 2,7811 CD,Emmen,52.79,6.90,EMMEN-ZUID,WAGRO-EMMEN,7811,Contact B,b@example.org',
  '99000003,Praktijk C (test),Kerkstraat 3,9401 AA,Assen,52.99,6.56,ASSEN-NOORD,WAGRO-ASSEN,9401,Contact C,c@example.org',
].join('\n');

export const GPS_CSV = [
  'agb,practice_agb,name,email,fte',
  '88000011,99000001,Huisarts A1,a1@example.org,1.0',
  '88000012,99000001,Huisarts A2,a2@example.org,0.6',
  '88000021,99000002,Huisarts B1,b1@example.org,0.8',
  '88000031,99000003,Huisarts C1,c1@example.org,1.0',
].join('\n');

export const KEYS = {
  practiceA: 'test-key-practice-a',
  practiceB: 'test-key-practice-b',
  practiceC: 'test-key-practice-c',
  hagroEmmenZuid: 'test-key-hagro-emmen-zuid',
};

export const PRACTICE_API_KEYS: TestApiKey[] = [
  { id: 'practice-99000001', key: KEYS.practiceA, roles: ['practice'], practiceAgb: '99000001' },
  { id: 'practice-99000002', key: KEYS.practiceB, roles: ['practice'], practiceAgb: '99000002' },
  { id: 'practice-99000003', key: KEYS.practiceC, roles: ['practice'], practiceAgb: '99000003' },
  { id: 'hagro-emmen-zuid-coordinator', key: KEYS.hagroEmmenZuid, roles: ['practice'], hagroCode: 'EMMEN-ZUID' },
];

export function arrival(pc4: string, headcount: number, overrides: Partial<RefugeeGroupArrivedV1> = {}) {
  const groupId = randomUUID();
  return createEnvelope({
    type: RefugeeGroupArrived.v1.type,
    source: '/draaiboek/intake',
    subject: groupId,
    data: {
      groupId,
      municipalityCode: pc4.startsWith('94') ? 'GM0106' : 'GM0114',
      reference: `T-${groupId.slice(0, 8)}`,
      location: { locationId: randomUUID(), name: `Opvang ${pc4}`, postcode: `${pc4} AA`, pc4, kind: 'reception-centre' as const },
      headcount,
      arrivalDate: '2026-11-20',
      ...overrides,
    },
  });
}

export function intakeEvent<T extends object>(contract: EventContract<T>, data: T) {
  return createEnvelope({ type: contract.type, source: '/draaiboek/intake', subject: contract.subjectOf(data), data });
}

export async function publish(probe: KafkaProbe, topic: string, ...envelopes: Array<{ subject: string }>): Promise<void> {
  await probe.produce(topic, envelopes.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
}
