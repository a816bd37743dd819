import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  EventEnvelope,
  RefugeeGroupCancelled,
  RefugeeGroupDeparted,
  RefugeeGroupHeadcountChanged,
  RefugeeGroupRelocated,
} from '@draaiboek/contracts';
import { Transaction, UnitOfWork } from '@draaiboek/messaging';
import { amsterdamDateOf } from '@draaiboek/platform';
import { AnnounceArrivalService, Announcer, locationOf } from '../announce-arrival/announce-arrival.service';
import { GroupChangeKind, GroupChangeRecord } from '../../database/group-change.orm-entity';
import { PopulationEntryRecord } from '../../database/population-entry.orm-entity';
import { ReceptionLocationRecord } from '../../database/reception-location.orm-entity';
import { RefugeeGroupRecord } from '../../database/refugee-group.orm-entity';
import { differencesBetween } from '../../domain/arrival-differences';
import { ArrivalRejection } from '../../domain/arrival-rejection';
import {
  CancellationRequestDto,
  DepartureRequestDto,
  HeadcountChangeRequestDto,
  RelocationRequestDto,
} from './group-change.request.dto';

export interface GroupChangeResult {
  groupId: string;
  changeId: string;
  /** false when this change reference was applied before: nothing new was published. */
  created: boolean;
}

interface ChangeSpec {
  kind: GroupChangeKind;
  changeReference: string;
  request: Record<string, unknown>;
  /** Date the change takes effect; undefined for a cancellation, which undoes the whole history. */
  effectiveDate?: string;
  apply: (tx: Transaction, group: RefugeeGroupRecord) => Promise<EventEnvelope<object>>;
}

/**
 * A group's life after its arrival: headcount changed, departed, relocated, cancelled. Each is
 * its own command and its own event on the group's key (so ordered per group), idempotent per
 * change reference like the arrival is per reference, and serialised per group by a row lock.
 */
@Injectable()
export class RecordGroupChangeService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly arrivals: AnnounceArrivalService,
  ) {}

  changeHeadcount(groupId: string, body: HeadcountChangeRequestDto, by: Announcer): Promise<GroupChangeResult> {
    return this.record(groupId, by, {
      kind: 'headcount-changed',
      changeReference: body.changeReference,
      request: { headcount: body.headcount, effectiveDate: body.effectiveDate },
      effectiveDate: body.effectiveDate,
      apply: async (tx, group) => {
        if (body.headcount === group.headcount) {
          throw new ArrivalRejection('invalid-change', `headcount is already ${group.headcount}`, { field: 'headcount' });
        }
        const previousHeadcount = group.headcount;
        await this.entry(tx, group, group.locationId, body.effectiveDate, body.headcount - previousHeadcount, 'headcount-changed');
        group.headcount = body.headcount;
        return tx.publish(RefugeeGroupHeadcountChanged.v1, {
          groupId: group.id,
          municipalityCode: group.municipalityCode,
          locationId: group.locationId,
          previousHeadcount,
          headcount: body.headcount,
          effectiveDate: body.effectiveDate,
        });
      },
    });
  }

  depart(groupId: string, body: DepartureRequestDto, by: Announcer): Promise<GroupChangeResult> {
    return this.record(groupId, by, {
      kind: 'departed',
      changeReference: body.changeReference,
      request: { departureDate: body.departureDate },
      effectiveDate: body.departureDate,
      apply: async (tx, group) => {
        await this.entry(tx, group, group.locationId, body.departureDate, -group.headcount, 'departed');
        group.status = 'departed';
        return tx.publish(RefugeeGroupDeparted.v1, {
          groupId: group.id,
          municipalityCode: group.municipalityCode,
          locationId: group.locationId,
          headcount: group.headcount,
          departureDate: body.departureDate,
        });
      },
    });
  }

  relocate(groupId: string, body: RelocationRequestDto, by: Announcer): Promise<GroupChangeResult> {
    return this.record(groupId, by, {
      kind: 'relocated',
      changeReference: body.changeReference,
      request: { location: { ...body.location }, relocationDate: body.relocationDate },
      effectiveDate: body.relocationDate,
      apply: async (tx, group) => {
        const from = await tx.manager.findOneOrFail(ReceptionLocationRecord, { where: { id: group.locationId } });
        const to = await this.arrivals.locationFor(tx, { municipalityCode: group.municipalityCode, location: body.location });
        if (to.id === from.id) {
          throw new ArrivalRejection('invalid-change', 'the group is already at this location', { field: 'location' });
        }
        await this.entry(tx, group, from.id, body.relocationDate, -group.headcount, 'relocated');
        await this.entry(tx, group, to.id, body.relocationDate, group.headcount, 'relocated');
        group.locationId = to.id;
        return tx.publish(RefugeeGroupRelocated.v1, {
          groupId: group.id,
          municipalityCode: group.municipalityCode,
          from: locationOf(from),
          to: locationOf(to),
          headcount: group.headcount,
          relocationDate: body.relocationDate,
        });
      },
    });
  }

  cancel(groupId: string, body: CancellationRequestDto, by: Announcer): Promise<GroupChangeResult> {
    return this.record(groupId, by, {
      kind: 'cancelled',
      changeReference: body.changeReference,
      request: { reason: body.reason },
      apply: async (tx, group) => {
        // The group never came: undo every entry at its own date, so past totals change too.
        await tx.manager.query(
          `INSERT INTO population_entries (location_id, municipality_code, group_id, effective_date, delta, cause)
           SELECT location_id, municipality_code, group_id, effective_date, -sum(delta), 'cancelled'
             FROM population_entries WHERE group_id = $1
            GROUP BY location_id, municipality_code, group_id, effective_date
           HAVING sum(delta) <> 0`,
          [group.id],
        );
        group.status = 'cancelled';
        return tx.publish(RefugeeGroupCancelled.v1, {
          groupId: group.id,
          municipalityCode: group.municipalityCode,
          locationId: group.locationId,
          reason: body.reason,
        });
      },
    });
  }

  private record(groupId: string, by: Announcer, spec: ChangeSpec): Promise<GroupChangeResult> {
    return this.uow.run(async (tx) => {
      const group = await tx.manager.findOne(RefugeeGroupRecord, { where: { id: groupId }, lock: { mode: 'pessimistic_write' } });
      if (!group || (by.municipalityCode !== undefined && by.municipalityCode !== group.municipalityCode)) {
        // Another municipality's group is indistinguishable from a missing one: its existence is not theirs to know.
        throw new ArrivalRejection('unknown-group', `No group ${groupId}`);
      }
      const previous = await tx.manager.findOne(GroupChangeRecord, { where: { groupId, changeReference: spec.changeReference } });
      if (previous) {
        const differences = differencesBetween({ kind: previous.kind, ...previous.request }, { kind: spec.kind, ...spec.request });
        if (differences.length > 0) {
          throw new ArrivalRejection(
            'reference-conflict',
            `Change ${spec.changeReference} of group ${groupId} was recorded before with other values`,
            { changeId: previous.id, differences },
          );
        }
        return { groupId, changeId: previous.id, created: false };
      }
      if (group.status !== 'active') {
        throw new ArrivalRejection('group-not-active', `Group ${groupId} is ${group.status}; it cannot change any more`, { status: group.status });
      }
      if (spec.effectiveDate !== undefined && spec.effectiveDate < group.lastChangeDate) {
        throw new ArrivalRejection(
          'invalid-change',
          `${dateFieldOf(spec.kind)} ${spec.effectiveDate} lies before the group's last recorded change or arrival (${group.lastChangeDate})`,
          { field: dateFieldOf(spec.kind) },
        );
      }
      const envelope = await spec.apply(tx, group);
      const changeId = randomUUID();
      const change: GroupChangeRecord = {
        id: changeId,
        groupId,
        changeReference: spec.changeReference,
        kind: spec.kind,
        request: spec.request,
        effectiveDate: spec.effectiveDate ?? amsterdamDateOf(new Date()),
        eventId: envelope.id,
        recordedBy: by.id,
        recordedAt: new Date(),
      };
      // TypeORM cannot type a jsonb column of arbitrary shape for insert; the record is complete.
      await tx.manager.insert(GroupChangeRecord, change as never);
      await tx.manager.update(
        RefugeeGroupRecord,
        { id: group.id },
        { headcount: group.headcount, status: group.status, locationId: group.locationId, lastChangeDate: spec.effectiveDate ?? group.lastChangeDate },
      );
      return { groupId, changeId, created: true };
    });
  }

  private entry(
    tx: Transaction,
    group: RefugeeGroupRecord,
    locationId: string,
    effectiveDate: string,
    delta: number,
    cause: PopulationEntryRecord['cause'],
  ): Promise<unknown> {
    return tx.manager.insert(PopulationEntryRecord, { locationId, municipalityCode: group.municipalityCode, groupId: group.id, effectiveDate, delta, cause });
  }
}

function dateFieldOf(kind: GroupChangeKind): string {
  return kind === 'departed' ? 'departureDate' : kind === 'relocated' ? 'relocationDate' : 'effectiveDate';
}
