import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, ShiftReleased, ShiftReleasedV1 } from '@draaiboek/contracts';
import { HandlerContext } from '@draaiboek/messaging';
import { enqueueMail } from '@draaiboek/platform';

const WHY: Partial<Record<ShiftReleasedV1['reason'], string>> = {
  'cadence-reduced': 'het spreekuur wordt minder vaak gehouden (minder dagen per week)',
  'session-cancelled': 'het spreekuur gaat niet door',
};

/**
 * notify-gp-when-shift-released: when the coordination drops sessions (rule 8), the GPs whose
 * shifts go are told by e-mail. Only practice-notification knows their addresses.
 */
@Controller()
export class ShiftNoticeHandlers {
  @EventPattern(ShiftReleased.v1.type)
  async released(@Payload() event: EventEnvelope<ShiftReleasedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const why = WHY[event.data.reason];
    if (!why) return; // a GP who gave a shift back or swapped it knows already
    const [gp] = await tx.manager.query('SELECT name, email FROM gps WHERE agb = $1', [event.data.gpAgb]);
    if (!gp) return;
    const when = new Date(event.data.startsAt).toLocaleString('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'full', timeStyle: 'short' });
    await enqueueMail(tx.manager, {
      to: gp.email,
      subject: `Dienst vervallen: ${when}`,
      text: [`Beste ${gp.name},`, '', `Uw dienst op ${when} vervalt: ${why}.`, 'U hoeft niets te doen; uw rooster is bijgewerkt.', '', 'Regionale coördinatie huisartsenzorg vluchtelingen'].join('\n'),
      purpose: `shift:${event.data.reason}`,
      referenceId: event.data.shiftId,
    });
  }
}
