import { ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { ArrivalAnnouncementV1, pc4Of, RefugeeGroupArrived } from '@draaiboek/contracts';
import { UnitOfWork } from '@draaiboek/messaging';
import { Principal } from '@draaiboek/platform';
import { RefugeeGroupRecord } from '../../database/refugee-group.orm-entity';
import { ReceptionLocationRecord } from '../../database/reception-location.orm-entity';
import { differencesBetween, normaliseName, normalisePostcode } from '../../domain/arrival-differences';

export interface AnnounceArrivalResult {
  groupId: string;
  /** false when the same announcement was received before: nothing new was published. */
  created: boolean;
}

@Injectable()
export class AnnounceArrivalService {
  constructor(private readonly uow: UnitOfWork) {}

  async announce(request: ArrivalAnnouncementV1, principal: Principal): Promise<AnnounceArrivalResult> {
    if (!principal.roles.includes('coordination') && principal.municipalityCode !== request.municipalityCode) {
      throw new ForbiddenException({
        error: 'forbidden',
        message: `This credential may only announce groups of ${principal.municipalityCode ?? 'no municipality'}`,
      });
    }
    const announcement = canonical(request);
    try {
      return await this.tryAnnounce(announcement, principal);
    } catch (error) {
      // A simultaneous duplicate (HTTP and Kafka at once) lost the race on the unique index:
      // the winner has committed, so the second attempt finds it and answers like any repeat.
      if (isUniqueViolation(error)) return this.tryAnnounce(announcement, principal);
      throw error;
    }
  }

  private tryAnnounce(announcement: Record<string, unknown> & ArrivalAnnouncementV1, principal: Principal) {
    return this.uow.run(async ({ manager, publish }) => {
      const existing = await manager.findOne(RefugeeGroupRecord, {
        where: { municipalityCode: announcement.municipalityCode, reference: announcement.reference },
      });
      if (existing) {
        const differences = differencesBetween(existing.announcedPayload, announcement);
        if (differences.length > 0) {
          throw new ConflictException({
            error: 'reference_conflict',
            message: `Reference ${announcement.reference} of ${announcement.municipalityCode} was announced before with other values`,
            groupId: existing.id,
            differences,
          });
        }
        return { groupId: existing.id, created: false };
      }

      const location = await this.locationFor(manager, announcement);
      const group = manager.create(RefugeeGroupRecord, {
        id: randomUUID(),
        municipalityCode: announcement.municipalityCode,
        reference: announcement.reference,
        locationId: location.id,
        headcount: announcement.headcount,
        arrivalDate: announcement.arrivalDate,
        composition: (announcement.composition as Record<string, number> | undefined) ?? null,
        withBsnCount: announcement.withBsnCount ?? null,
        status: 'announced',
        announcedPayload: announcement,
        announcedBy: principal.id,
      });
      // TypeORM cannot type a jsonb column of arbitrary shape for insert; the entity is complete.
      await manager.insert(RefugeeGroupRecord, group as never);
      await publish(RefugeeGroupArrived.v1, {
        groupId: group.id,
        municipalityCode: group.municipalityCode,
        reference: group.reference,
        location: { locationId: location.id, name: location.name, postcode: location.postcode, pc4: location.pc4, kind: location.kind },
        headcount: group.headcount,
        arrivalDate: group.arrivalDate,
        ...(announcement.composition ? { composition: announcement.composition } : {}),
        ...(announcement.withBsnCount !== undefined ? { withBsnCount: announcement.withBsnCount } : {}),
      });
      return { groupId: group.id, created: true };
    });
  }

  private async locationFor(
    manager: import('typeorm').EntityManager,
    announcement: ArrivalAnnouncementV1,
  ): Promise<ReceptionLocationRecord> {
    const key = {
      municipalityCode: announcement.municipalityCode,
      postcode: announcement.location.postcode,
      normalizedName: announcement.location.name.toLowerCase(),
    };
    await manager
      .createQueryBuilder()
      .insert()
      .into(ReceptionLocationRecord)
      .values({
        id: randomUUID(),
        ...key,
        name: announcement.location.name,
        pc4: pc4Of(announcement.location.postcode),
        kind: announcement.location.kind,
      })
      .orIgnore()
      .execute();
    return manager.findOneOrFail(ReceptionLocationRecord, { where: key });
  }
}

function canonical(request: ArrivalAnnouncementV1): Record<string, unknown> & ArrivalAnnouncementV1 {
  // JSON round trip: a plain object with no undefined members, comparable with what is stored.
  return JSON.parse(
    JSON.stringify({
      ...request,
      reference: request.reference.trim(),
      location: {
        ...request.location,
        name: normaliseName(request.location.name),
        postcode: normalisePostcode(request.location.postcode),
      },
    }),
  );
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === '23505';
}
