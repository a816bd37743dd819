import { CareArrangement, NotificationReason } from '@draaiboek/contracts';

/** Group facts a signal is about. Counts and places only: never a person. */
export interface GroupFacts {
  groupId: string;
  municipalityCode: string;
  location: { locationId: string; name: string; postcode: string; pc4: string; kind: string };
  headcount: number;
  arrivalDate: string;
}

export function adviceFor(headcount: number, threshold: number): CareArrangement {
  return headcount > threshold ? 'central-location' : 'own-practice';
}

const ADVICE_TEXT: Record<CareArrangement, string> = {
  'central-location': 'Advies: een centraal spreekuur op de opvanglocatie (de groep is groter dan {threshold} personen).',
  'own-practice': 'Advies: zorg vanuit de eigen praktijk (de groep is {threshold} personen of kleiner).',
};

const SUBJECT: Record<NotificationReason, string> = {
  arrival: 'Nieuwe groep vluchtelingen in uw werkgebied',
  'headcount-changed': 'Gewijzigde groepsgrootte',
  departed: 'Groep vertrokken',
  cancelled: 'Aankondiging ingetrokken',
  'relocated-here': 'Groep verhuisd naar uw werkgebied',
  'relocated-away': 'Groep verhuisd uit uw werkgebied',
};

/** The e-mail to a practice's contact person (Dutch: the practices' working language). */
export function signalMail(input: {
  reason: NotificationReason;
  practiceName: string;
  group: GroupFacts;
  advice: CareArrangement;
  threshold: number;
  needsDecision: boolean;
  link: string;
}): { subject: string; text: string } {
  const g = input.group;
  const lines = [
    `Beste collega's van ${input.practiceName},`,
    '',
    reasonLine(input.reason, g),
    '',
    `Locatie: ${g.location.name}, ${g.location.postcode} (${g.location.kind === 'reception-centre' ? 'opvanglocatie' : 'verspreid in de wijk'})`,
    `Aantal personen: ${g.headcount}`,
    `Aankomstdatum: ${g.arrivalDate}`,
    '',
  ];
  if (input.needsDecision) {
    lines.push(
      ADVICE_TEXT[input.advice].replace('{threshold}', String(input.threshold)),
      '',
      'Wilt u in overleg met uw hagro (of wagro) laten weten hoe de huisartsenzorg voor deze groep geregeld wordt:',
      'vanuit de eigen praktijk, of via een centraal spreekuur op de locatie? Bij een centraal spreekuur regelt de',
      'coördinatie de werkplek, toegang tot het HIS en de declaraties.',
      '',
      `Geef uw keuze door via: ${input.link}`,
    );
  } else {
    lines.push(`Details: ${input.link}`);
  }
  lines.push('', 'Met vriendelijke groet,', 'Regionale coördinatie huisartsenzorg vluchtelingen');
  return { subject: `${SUBJECT[input.reason]}: ${g.location.name} (${g.headcount} personen)`, text: lines.join('\n') };
}

function reasonLine(reason: NotificationReason, g: GroupFacts): string {
  switch (reason) {
    case 'arrival':
      return `De gemeente heeft een groep vluchtelingen aangekondigd in het werkgebied van uw praktijk (postcodegebied ${g.location.pc4}).`;
    case 'relocated-here':
      return `Een groep vluchtelingen is verhuisd naar een locatie in het werkgebied van uw praktijk (postcodegebied ${g.location.pc4}).`;
    case 'relocated-away':
      return 'Een groep waarover u eerder bericht kreeg, is verhuisd naar een locatie buiten uw werkgebied.';
    case 'headcount-changed':
      return 'De grootte van een groep waarover u eerder bericht kreeg, is gewijzigd.';
    case 'departed':
      return 'Een groep waarover u eerder bericht kreeg, is vertrokken.';
    case 'cancelled':
      return 'De aankondiging van een groep waarover u eerder bericht kreeg, is ingetrokken: de groep komt niet.';
  }
}
