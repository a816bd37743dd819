import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ArrivalAnnouncementV1, pc4Of, RefugeeGroupArrived } from '@draaiboek/contracts';
import { Transaction, UnitOfWork } from '@draaiboek/messaging';
import { amsterdamDateOf } from '@draaiboek/platform';
import { MunicipalityRegistry } from '../../../municipalities/municipality-registry';
import { PopulationEntryRecord } from '../../database/population-entry.orm-entity';
import { ReceptionLocationRecord } from '../../database/reception-location.orm-entity';
import { RefugeeGroupRecord } from '../../database/refugee-group.orm-entity';
import { differencesBetween, normaliseName, normalisePostcode } from '../../domain/arrival-differences';
import { ArrivalRejection } from '../../domain/arrival-rejection';

export interface AnnounceArrivalResult {
  groupId: string;
  /** false when the same announcement was received before: nothing new was published. */
  created: boolean;
}

/** Who announces: an API-key principal over HTTP, a signing key over Kafka. */
export interface Announcer {
  id: string;
  /** The municipality the credential belongs to; absent for the coordination, which may announce for any. */
  municipalityCode?: string;
}

/**
 * Announcing an arrival, whichever door it came through (HTTP or `municipal.arrivals.v1`).
 * Idempotent per (municipality, reference): the same announcement again returns the same group
 * and publishes nothing; other values under a used reference are a conflict naming the differences.
 */
@Injectable()
export class AnnounceArrivalService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(MunicipalityRegistry) private readonly municipalities: MunicipalityRegistry,
  ) {}

  announce(request: ArrivalAnnouncementV1, announcer: Announcer): Promise<AnnounceArrivalResult> {
    return this.uow.run((tx) => this.announceIn(tx, request, announcer));
  }

  /** Runs in the caller's transaction (the Kafka consumer's inbox transaction, or a unit of work). */
  async announceIn(tx: Transaction, request: ArrivalAnnouncementV1, announcer: Announcer): Promise<AnnounceArrivalResult> {
    if (announcer.municipalityCode !== undefined && announcer.municipalityCode !== request.municipalityCode) {
      throw new ArrivalRejection(
        'forbidden-municipality',
        `This credential may only announce groups of ${announcer.municipalityCode}, not ${request.municipalityCode}`,
      );
    }
    const known = this.municipalities.check(request.municipalityCode, amsterdamDateOf(new Date()));
    if (!known.ok) throw new ArrivalRejection('unknown-municipality', known.message, { field: 'municipalityCode' });
    const counts: Array<[string, number | undefined]> = [
      ['withBsnCount', request.withBsnCount],
      ...Object.entries(request.composition ?? {}).map(([k, v]): [string, number | undefined] => [`composition.${k}`, v]),
    ];
    for (const [field, count] of counts) {
      if (count !== undefined && count > request.headcount) {
        throw new ArrivalRejection('invalid-announcement', `${field} (${count}) cannot exceed headcount (${request.headcount})`, { field });
      }
    }

    const announcement = canonical(request);
    const { manager } = tx;
    const location = await this.locationFor(tx, announcement);
    const group: RefugeeGroupRecord = manager.create(RefugeeGroupRecord, {
      id: randomUUID(),
      municipalityCode: announcement.municipalityCode,
      reference: announcement.reference,
      locationId: location.id,
      headcount: announcement.headcount,
      arrivalDate: announcement.arrivalDate,
      composition: (announcement.composition as Record<string, number> | undefined) ?? null,
      withBsnCount: announcement.withBsnCount ?? null,
      status: 'active',
      lastChangeDate: announcement.arrivalDate,
      announcedPayload: announcement,
      announcedBy: announcer.id,
    });
    // ON CONFLICT DO NOTHING: a simultaneous duplicate (HTTP and Kafka at once) waits for the
    // winner's commit and then inserts nothing, without aborting this transaction.
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(RefugeeGroupRecord)
      .values(group as never)
      .orIgnore()
      .returning(['id'])
      .execute();
    if (inserted.raw.length === 0) {
      const existing = await manager.findOneOrFail(RefugeeGroupRecord, {
        where: { municipalityCode: announcement.municipalityCode, reference: announcement.reference },
      });
      const differences = differencesBetween(existing.announcedPayload, announcement);
      if (differences.length > 0) {
        throw new ArrivalRejection(
          'reference-conflict',
          `Reference ${announcement.reference} of ${announcement.municipalityCode} was announced before with other values`,
          { groupId: existing.id, differences },
        );
      }
      return { groupId: existing.id, created: false };
    }

    await manager.insert(PopulationEntryRecord, {
      locationId: location.id,
      municipalityCode: group.municipalityCode,
      groupId: group.id,
      effectiveDate: group.arrivalDate,
      delta: group.headcount,
      cause: 'arrived',
    });
    await tx.publish(RefugeeGroupArrived.v1, {
      groupId: group.id,
      municipalityCode: group.municipalityCode,
      reference: group.reference,
      location: locationOf(location),
      headcount: group.headcount,
      arrivalDate: group.arrivalDate,
      ...(announcement.composition ? { composition: announcement.composition } : {}),
      ...(announcement.withBsnCount !== undefined ? { withBsnCount: announcement.withBsnCount } : {}),
    });
    return { groupId: group.id, created: true };
  }

  /** The registry entry of a reception location, created on first mention. */
  async locationFor(
    tx: Transaction,
    announcement: Pick<ArrivalAnnouncementV1, 'municipalityCode' | 'location'>,
  ): Promise<ReceptionLocationRecord> {
    const name = normaliseName(announcement.location.name);
    const postcode = normalisePostcode(announcement.location.postcode);
    const key = { municipalityCode: announcement.municipalityCode, postcode, normalizedName: name.toLowerCase() };
    await tx.manager
      .createQueryBuilder()
      .insert()
      .into(ReceptionLocationRecord)
      .values({ id: randomUUID(), ...key, name, pc4: pc4Of(postcode), kind: announcement.location.kind })
      .orIgnore()
      .execute();
    return tx.manager.findOneOrFail(ReceptionLocationRecord, { where: key });
  }
}

export function locationOf(location: ReceptionLocationRecord) {
  return { locationId: location.id, name: location.name, postcode: location.postcode, pc4: location.pc4, kind: location.kind };
}

function canonical(request: ArrivalAnnouncementV1): Record<string, unknown> & ArrivalAnnouncementV1 {
  // JSON round trip: a plain object with no undefined members, comparable with what is stored.
  return JSON.parse(
    JSON.stringify({
      ...request,
      reference: request.reference.trim(),
      location: { ...request.location, name: normaliseName(request.location.name), postcode: normalisePostcode(request.location.postcode) },
    }),
  );
}
