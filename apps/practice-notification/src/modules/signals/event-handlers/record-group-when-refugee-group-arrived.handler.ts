import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventEnvelope, RefugeeGroupArrived, RefugeeGroupArrivedV1 } from '@draaiboek/contracts';
import { EventContext } from '@draaiboek/messaging';
import { SERVICE_CONFIG } from '@draaiboek/platform';
import { PracticeNotificationConfig } from '../../../config/practice-notification.config';
import { ArrivedGroupRecord } from '../database/arrived-group.orm-entity';

@Controller()
export class RecordGroupWhenRefugeeGroupArrivedHandler {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: PracticeNotificationConfig) {}

  @EventPattern(RefugeeGroupArrived.v1.type)
  async handle(@Payload() event: EventEnvelope<RefugeeGroupArrivedV1>, @Ctx() context: EventContext): Promise<void> {
    const group = event.data;
    await context.manager.insert(ArrivedGroupRecord, {
      groupId: group.groupId,
      municipalityCode: group.municipalityCode,
      locationId: group.location.locationId,
      locationName: group.location.name,
      pc4: group.location.pc4,
      headcount: group.headcount,
      arrivalDate: group.arrivalDate,
      centralLocationAdvised: group.headcount > this.config.CENTRAL_LOCATION_THRESHOLD,
    });
  }
}
