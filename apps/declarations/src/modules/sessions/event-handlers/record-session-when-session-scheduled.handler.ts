import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, SessionScheduled, SessionScheduledV1 } from '@draaiboek/contracts';
import { BATCH, BatchHandlerContext } from '@draaiboek/messaging';
import { DeclarableSessionRecord } from '../database/declarable-session.orm-entity';

/**
 * Each scheduled session becomes a session consultations can be declared for. A cadence
 * schedules several sessions at once (five for a week of weekdays), so they are applied as a
 * batch: one INSERT for a fetched chunk instead of a transaction per session.
 */
@Controller()
export class RecordSessionWhenSessionScheduledHandler {
  @EventPattern(SessionScheduled.v1.type, BATCH)
  async handle(@Payload() events: Array<EventEnvelope<SessionScheduledV1>>, @Ctx() tx: BatchHandlerContext): Promise<void> {
    await tx.manager.insert(
      DeclarableSessionRecord,
      events.map(({ data: session }) => ({
        sessionId: session.sessionId,
        centralLocationId: session.centralLocationId,
        locationName: session.locationName,
        localDate: session.localDate,
        startsAt: new Date(session.startsAt),
        endsAt: new Date(session.endsAt),
      })),
    );
  }
}
