import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CentralLocationOpened } from '@draaiboek/contracts';
import { Transaction } from '@draaiboek/messaging';
import { CHECKLIST_ITEMS } from './domain/checklist';

export interface OpenLocation {
  name: string;
  postcode: string;
  receptionLocationId?: string;
  latitude?: number;
  longitude?: number;
  openedBy: string;
  openedBecause: 'practice-choice' | 'coordination';
}

/** Opening a central location (rule 4), whichever way it is decided, and its checklist gate (rule 9). */
@Injectable()
export class CentralLocationService {
  /** Opens a location, or returns the one already open for the same reception location. */
  async open(tx: Transaction, input: OpenLocation): Promise<{ id: string; created: boolean }> {
    if (input.receptionLocationId) {
      const [existing] = await tx.manager.query('SELECT id FROM central_locations WHERE reception_location_id = $1', [input.receptionLocationId]);
      if (existing) return { id: existing.id, created: false };
    }
    const id = randomUUID();
    await tx.manager.query(
      `INSERT INTO central_locations (id, name, postcode, reception_location_id, opened_by, opened_because, latitude, longitude)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, input.name, input.postcode, input.receptionLocationId ?? null, input.openedBy, input.openedBecause, input.latitude ?? null, input.longitude ?? null],
    );
    for (const { item, required } of CHECKLIST_ITEMS) {
      await tx.manager.query('INSERT INTO checklist_items (central_location_id, item, required) VALUES ($1, $2, $3)', [id, item, required]);
    }
    await tx.publish(CentralLocationOpened.v1, {
      centralLocationId: id,
      name: input.name,
      postcode: input.postcode,
      ...(input.receptionLocationId ? { receptionLocationId: input.receptionLocationId } : {}),
      openedBecause: input.openedBecause,
    });
    return { id, created: true };
  }

  /** Sessions start only when the required items are done, or the coordination overrode with a reason. */
  async assertReady(manager: EntityManager, centralLocationId: string): Promise<void> {
    const [location] = await manager.query('SELECT id, override_reason FROM central_locations WHERE id = $1', [centralLocationId]);
    if (!location) throw new NotFoundException({ error: 'unknown_central_location', message: `No central location ${centralLocationId}` });
    if (location.override_reason) return;
    const open: Array<{ item: string }> = await manager.query(
      'SELECT item FROM checklist_items WHERE central_location_id = $1 AND required AND done_at IS NULL ORDER BY item',
      [centralLocationId],
    );
    if (open.length > 0) {
      throw new ConflictException({
        error: 'checklist_incomplete',
        message: 'Sessions start when the required checklist items are done, or when the coordination overrides with a reason',
        openItems: open.map((o) => o.item),
      });
    }
  }
}
