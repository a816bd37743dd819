import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  CareArrangementChosen,
  CareArrangementChosenV1,
  CaseloadReported,
  CaseloadReportedV1,
  EventEnvelope,
  PracticeRegistered,
  PracticeRegisteredV1,
  RefugeeGroupCancelled,
  RefugeeGroupCancelledV1,
  RefugeeGroupDeparted,
  RefugeeGroupDepartedV1,
  RefugeeGroupHeadcountChanged,
  RefugeeGroupHeadcountChangedV1,
  RefugeeGroupRelocated,
  RefugeeGroupRelocatedV1,
} from '@draaiboek/contracts';
import { HandlerContext } from '@draaiboek/messaging';
import { CentralLocationService } from '../central-location.service';

/** What clinic-scheduling keeps of other services' facts: groups, the directory, caseloads, choices. */
@Controller()
export class GroupAndDirectoryHandlers {
  constructor(private readonly locations: CentralLocationService) {}

  /** open-central-location-when-central-location-chosen (rule 4) */
  @EventPattern(CareArrangementChosen.v1.type)
  async arrangementChosen(@Payload() event: EventEnvelope<CareArrangementChosenV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const choice = event.data;
    if (choice.arrangement !== 'central-location') return;
    // The location's coordinates are not known to intake; the deciding practice is in its area.
    const [practice] = await tx.manager.query('SELECT latitude::float AS latitude, longitude::float AS longitude FROM practices WHERE agb = $1', [choice.practiceAgb]);
    await this.locations.open(tx, {
      name: `Spreekuur ${choice.location.name}`,
      postcode: choice.location.postcode,
      receptionLocationId: choice.location.locationId,
      latitude: practice?.latitude,
      longitude: practice?.longitude,
      openedBy: choice.decidedBy,
      openedBecause: 'practice-choice',
    });
  }

  /** keep-directory-when-practice-registered */
  @EventPattern(PracticeRegistered.v1.type)
  async practiceRegistered(@Payload() event: EventEnvelope<PracticeRegisteredV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const p = event.data;
    await tx.manager.query(
      `INSERT INTO practices (agb, hagro_code, latitude, longitude) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agb) DO UPDATE SET hagro_code = EXCLUDED.hagro_code, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, updated_at = now()`,
      [p.practiceAgb, p.hagroCode, p.latitude, p.longitude],
    );
    for (const gp of p.gps) {
      await tx.manager.query(
        `INSERT INTO gps (agb, practice_agb, fte, active) VALUES ($1, $2, $3, true)
         ON CONFLICT (agb) DO UPDATE SET practice_agb = EXCLUDED.practice_agb, fte = EXCLUDED.fte, active = true`,
        [gp.gpAgb, p.practiceAgb, gp.fte],
      );
    }
    // GPs the practice no longer lists are not rostered any more (their history stays).
    await tx.manager.query(`UPDATE gps SET active = false WHERE practice_agb = $1 AND NOT (agb = ANY($2::text[]))`, [p.practiceAgb, p.gps.map((g) => g.gpAgb)]);
  }

  /** keep-caseload-when-caseload-reported (rule 7 input) */
  @EventPattern(CaseloadReported.v1.type)
  async caseloadReported(@Payload() event: EventEnvelope<CaseloadReportedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const c = event.data;
    await tx.manager.query(
      `INSERT INTO practice_caseloads (practice_agb, caseload, reported_on) VALUES ($1, $2, $3)
       ON CONFLICT (practice_agb) DO UPDATE SET caseload = EXCLUDED.caseload, reported_on = EXCLUDED.reported_on
        WHERE practice_caseloads.reported_on <= EXCLUDED.reported_on`,
      [c.practiceAgb, c.refugeeCount, c.reportedOn],
    );
  }

  @EventPattern(RefugeeGroupHeadcountChanged.v1.type)
  async headcountChanged(@Payload() event: EventEnvelope<RefugeeGroupHeadcountChangedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    await tx.manager.query('UPDATE known_groups SET headcount = $2 WHERE group_id = $1', [event.data.groupId, event.data.headcount]);
  }

  @EventPattern(RefugeeGroupDeparted.v1.type)
  async departed(@Payload() event: EventEnvelope<RefugeeGroupDepartedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    await tx.manager.query(`UPDATE known_groups SET status = 'departed' WHERE group_id = $1`, [event.data.groupId]);
  }

  @EventPattern(RefugeeGroupCancelled.v1.type)
  async cancelled(@Payload() event: EventEnvelope<RefugeeGroupCancelledV1>, @Ctx() tx: HandlerContext): Promise<void> {
    await tx.manager.query(`UPDATE known_groups SET status = 'cancelled' WHERE group_id = $1`, [event.data.groupId]);
  }

  @EventPattern(RefugeeGroupRelocated.v1.type)
  async relocated(@Payload() event: EventEnvelope<RefugeeGroupRelocatedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const to = event.data.to;
    await tx.manager.query('UPDATE known_groups SET location_id = $2, location_name = $3, postcode = $4 WHERE group_id = $1', [
      event.data.groupId,
      to.locationId,
      to.name,
      to.postcode,
    ]);
  }
}
