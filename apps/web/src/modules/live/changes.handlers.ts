import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import {
  CareArrangementChosen,
  CaseloadReported,
  CentralLocationOpened,
  ConsultationRecorded,
  DeclarationBatchReady,
  PracticeNotified,
  PracticeRegistered,
  RefugeeGroupArrived,
  RefugeeGroupCancelled,
  RefugeeGroupDeparted,
  RefugeeGroupHeadcountChanged,
  RefugeeGroupRelocated,
  SessionCancelled,
  SessionChanged,
  SessionScheduled,
  ShiftAssigned,
  ShiftReleased,
} from '@draaiboek/contracts';
import { LiveHub } from './live-hub';

/** The web app's consumer group `web`: each event tells the browsers what kind of thing changed. */
@Controller()
export class TellBrowsersWhenSomethingChangedHandlers {
  constructor(private readonly hub: LiveHub) {}

  @EventPattern(RefugeeGroupArrived.v1.type) arrived() { this.hub.changed('groups'); }
  @EventPattern(RefugeeGroupHeadcountChanged.v1.type) headcount() { this.hub.changed('groups'); }
  @EventPattern(RefugeeGroupDeparted.v1.type) departed() { this.hub.changed('groups'); }
  @EventPattern(RefugeeGroupRelocated.v1.type) relocated() { this.hub.changed('groups'); }
  @EventPattern(RefugeeGroupCancelled.v1.type) cancelled() { this.hub.changed('groups'); }
  @EventPattern(PracticeNotified.v1.type) notified() { this.hub.changed('notifications'); }
  @EventPattern(CareArrangementChosen.v1.type) chosen() { this.hub.changed('notifications'); }
  @EventPattern(CaseloadReported.v1.type) caseload() { this.hub.changed('caseload'); }
  @EventPattern(PracticeRegistered.v1.type) registered() { this.hub.changed('directory'); }
  @EventPattern(CentralLocationOpened.v1.type) opened() { this.hub.changed('locations'); }
  @EventPattern(SessionScheduled.v1.type) scheduled() { this.hub.changed('locations'); }
  @EventPattern(SessionChanged.v1.type) sessionChanged() { this.hub.changed('locations'); }
  @EventPattern(SessionCancelled.v1.type) sessionCancelled() { this.hub.changed('locations'); }
  @EventPattern(ShiftAssigned.v1.type) assigned() { this.hub.changed('shifts'); }
  @EventPattern(ShiftReleased.v1.type) released() { this.hub.changed('shifts'); }
  @EventPattern(ConsultationRecorded.v1.type) consultation() { this.hub.changed('consultations'); }
  @EventPattern(DeclarationBatchReady.v1.type) batch() { this.hub.changed('batches'); }
}
