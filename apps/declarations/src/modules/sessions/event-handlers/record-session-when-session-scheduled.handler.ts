import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, SessionScheduled, SessionScheduledV1 } from '@draaiboek/contracts';
import { EventContext } from '@draaiboek/messaging';
import { DeclarableSessionRecord } from '../database/declarable-session.orm-entity';

@Controller()
export class RecordSessionWhenSessionScheduledHandler {
  @EventPattern(SessionScheduled.v1.type)
  async handle(@Payload() event: EventEnvelope<SessionScheduledV1>, @Ctx() context: EventContext): Promise<void> {
    const session = event.data;
    await context.manager.insert(DeclarableSessionRecord, {
      sessionId: session.sessionId,
      centralLocationId: session.centralLocationId,
      locationName: session.locationName,
      localDate: session.localDate,
      startsAt: new Date(session.startsAt),
      endsAt: new Date(session.endsAt),
    });
  }
}
