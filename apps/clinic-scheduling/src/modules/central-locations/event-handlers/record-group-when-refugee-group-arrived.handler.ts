import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, RefugeeGroupArrived, RefugeeGroupArrivedV1 } from '@draaiboek/contracts';
import { EventContext } from '@draaiboek/messaging';
import { KnownGroupRecord } from '../database/known-group.orm-entity';

@Controller()
export class RecordGroupWhenRefugeeGroupArrivedHandler {
  @EventPattern(RefugeeGroupArrived.v1.type)
  async handle(@Payload() event: EventEnvelope<RefugeeGroupArrivedV1>, @Ctx() context: EventContext): Promise<void> {
    const group = event.data;
    await context.manager.insert(KnownGroupRecord, {
      groupId: group.groupId,
      locationId: group.location.locationId,
      locationName: group.location.name,
      postcode: group.location.postcode,
      headcount: group.headcount,
      arrivalDate: group.arrivalDate,
    });
  }
}
