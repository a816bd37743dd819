import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  EventEnvelope,
  RefugeeGroupArrived,
  RefugeeGroupArrivedV1,
  RefugeeGroupCancelled,
  RefugeeGroupCancelledV1,
  RefugeeGroupDeparted,
  RefugeeGroupDepartedV1,
  RefugeeGroupHeadcountChanged,
  RefugeeGroupHeadcountChangedV1,
  RefugeeGroupRelocated,
  RefugeeGroupRelocatedV1,
} from '@draaiboek/contracts';
import { HandlerContext, PermanentEventError } from '@draaiboek/messaging';
import { GroupFacts } from './domain/messages';
import { SignalService } from './signal.service';

/** intake's events about a group, and what each means for the practices (rules 1 and 2). */
@Controller()
export class GroupEventHandlers {
  constructor(private readonly signals: SignalService) {}

  /** signal-practices-when-refugee-group-arrived */
  @EventPattern(RefugeeGroupArrived.v1.type)
  async arrived(@Payload() event: EventEnvelope<RefugeeGroupArrivedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const g = event.data;
    await tx.manager.query(
      `INSERT INTO arrived_groups (group_id, municipality_code, location_id, location_name, pc4, headcount, arrival_date, central_location_advised, location)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [g.groupId, g.municipalityCode, g.location.locationId, g.location.name, g.location.pc4, g.headcount, g.arrivalDate, g.headcount > this.signals.threshold, g.location],
    );
    await this.signals.signalArea(tx, facts(g), 'arrival');
  }

  /** update-signalled-practices-when-headcount-changed */
  @EventPattern(RefugeeGroupHeadcountChanged.v1.type)
  async headcountChanged(@Payload() event: EventEnvelope<RefugeeGroupHeadcountChangedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const group = await this.update(tx, event.data.groupId, { headcount: event.data.headcount });
    await this.signals.updateSignalled(tx, group, 'headcount-changed');
  }

  /** update-signalled-practices-when-group-departed */
  @EventPattern(RefugeeGroupDeparted.v1.type)
  async departed(@Payload() event: EventEnvelope<RefugeeGroupDepartedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const group = await this.update(tx, event.data.groupId, { status: 'departed' });
    await this.signals.updateSignalled(tx, group, 'departed');
  }

  /** update-signalled-practices-when-group-cancelled */
  @EventPattern(RefugeeGroupCancelled.v1.type)
  async cancelled(@Payload() event: EventEnvelope<RefugeeGroupCancelledV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const group = await this.update(tx, event.data.groupId, { status: 'cancelled' });
    await this.signals.updateSignalled(tx, group, 'cancelled');
  }

  /** signal-new-area-when-group-relocated: the old area is told, the new area is asked. */
  @EventPattern(RefugeeGroupRelocated.v1.type)
  async relocated(@Payload() event: EventEnvelope<RefugeeGroupRelocatedV1>, @Ctx() tx: HandlerContext): Promise<void> {
    const before = await this.update(tx, event.data.groupId, {});
    await this.signals.updateSignalled(tx, before, 'relocated-away');
    const after = await this.update(tx, event.data.groupId, { location: event.data.to });
    await this.signals.signalArea(tx, after, 'relocated-here');
  }

  private async update(
    tx: HandlerContext,
    groupId: string,
    change: { headcount?: number; status?: string; location?: GroupFacts['location'] },
  ): Promise<GroupFacts> {
    await tx.manager.query(
      `UPDATE arrived_groups SET
          headcount = coalesce($2, headcount),
          status = coalesce($3, status),
          location = coalesce($4::jsonb, location),
          location_id = coalesce(($4::jsonb ->> 'locationId')::uuid, location_id),
          location_name = coalesce($4::jsonb ->> 'name', location_name),
          pc4 = coalesce($4::jsonb ->> 'pc4', pc4)
        WHERE group_id = $1`,
      [groupId, change.headcount ?? null, change.status ?? null, change.location ? JSON.stringify(change.location) : null],
    );
    // (TypeORM's query() answers UPDATE ... RETURNING with [rows, count]; a plain SELECT is clearer.)
    const [row] = await tx.manager.query(
      `SELECT group_id, municipality_code, location, headcount, to_char(arrival_date, 'YYYY-MM-DD') AS arrival_date
         FROM arrived_groups WHERE group_id = $1`,
      [groupId],
    );
    // Events of one group share a key, so the arrival always comes first; a change for an
    // unknown group means the arrival was lost upstream: retrying cannot help.
    if (!row) throw new PermanentEventError(`no arrival known for group ${groupId}`, 'unknown-group');
    return { groupId: row.group_id, municipalityCode: row.municipality_code, location: row.location, headcount: row.headcount, arrivalDate: row.arrival_date };
  }
}

function facts(g: RefugeeGroupArrivedV1): GroupFacts {
  return { groupId: g.groupId, municipalityCode: g.municipalityCode, location: { ...g.location }, headcount: g.headcount, arrivalDate: g.arrivalDate };
}
