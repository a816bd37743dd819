import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ArrivalAnnounced, ArrivalAnnouncementV1, EventEnvelope } from '@draaiboek/contracts';
import { HandlerContext, PermanentEventError } from '@draaiboek/messaging';
import { AnnounceArrivalService } from '../commands/announce-arrival/announce-arrival.service';
import { ArrivalRejection } from '../domain/arrival-rejection';
import { SigningKeyRing } from '../domain/signed-record';

/**
 * The Kafka door for municipal systems: `municipal.arrivals.v1`, same contract and same
 * validation as `POST /v1/arrivals`. A record must be signed by a key of the announcing
 * municipality; anything refused goes to `municipal.arrivals.v1.dlq` with the reason.
 */
@Controller()
export class AnnounceArrivalWhenArrivalAnnouncedHandler {
  constructor(
    private readonly service: AnnounceArrivalService,
    @Inject(SigningKeyRing) private readonly keys: SigningKeyRing,
  ) {}

  @EventPattern(ArrivalAnnounced.v1.type)
  async handle(@Payload() event: EventEnvelope<ArrivalAnnouncementV1>, @Ctx() context: HandlerContext): Promise<void> {
    const signed = this.keys.verify(context.record.value, context.record.headers);
    if (!signed.ok) throw new PermanentEventError(signed.message, 'unauthenticated');
    try {
      await this.service.announceIn(context, event.data, {
        id: `kafka:${signed.key.keyId}`,
        municipalityCode: signed.key.municipalityCode,
      });
    } catch (error) {
      if (error instanceof ArrivalRejection) {
        const details = Object.keys(error.details).length ? ` ${JSON.stringify(error.details)}` : '';
        throw new PermanentEventError(`${error.message}${details}`, error.code);
      }
      throw error;
    }
  }
}
