import { ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '@draaiboek/platform';

export interface LockedSession {
  id: string;
  centralLocationId: string;
  localDate: string;
  startsAt: Date;
  capacity: number;
}

/**
 * The session, locked for the rest of the transaction so that recordings on one session are
 * serialised (capacity) and cannot cross a cancellation. NO KEY UPDATE, not UPDATE: inserting
 * a shift or consultation for the session (a foreign key's KEY SHARE) is not held up by it. Refuses unknown (404), cancelled and
 * not yet started sessions (409).
 */
export async function lockStartedSession(manager: EntityManager, sessionId: string, now: Date): Promise<LockedSession> {
  const rows: Array<{ id: string; central_location_id: string; local_date: string; starts_at: Date; capacity: number; status: string }> =
    await manager.query(
      `SELECT id, central_location_id, to_char(local_date, 'YYYY-MM-DD') AS local_date, starts_at, capacity, status
         FROM sessions WHERE id = $1 FOR NO KEY UPDATE`,
      [sessionId],
    );
  const row = rows[0];
  if (!row) throw new NotFoundException({ error: 'unknown_session', message: `No session ${sessionId}` });
  if (row.status === 'cancelled') {
    throw new ConflictException({ error: 'session_cancelled', message: `Session ${sessionId} was cancelled` });
  }
  const startsAt = new Date(row.starts_at);
  if (startsAt.getTime() > now.getTime()) {
    throw new ConflictException({
      error: 'session_not_started',
      message: `Session ${sessionId} starts at ${startsAt.toISOString()}; nothing can be recorded before it starts`,
      startsAt: startsAt.toISOString(),
    });
  }
  return { id: row.id, centralLocationId: row.central_location_id, localDate: row.local_date, startsAt, capacity: row.capacity };
}

/** The practice of a GP who holds a published shift on the session, or undefined. */
export async function rosteredPracticeOf(manager: EntityManager, sessionId: string, gpAgb: string): Promise<string | undefined> {
  const rows: Array<{ practice_agb: string }> = await manager.query(
    `SELECT g.practice_agb
       FROM shifts s JOIN gps g ON g.agb = s.gp_agb
      WHERE s.session_id = $1 AND s.gp_agb = $2 AND s.status = 'published'
      LIMIT 1
        FOR SHARE OF s`,
    [sessionId, gpAgb],
  );
  return rows[0]?.practice_agb;
}

export function isCoordination(principal: Principal): boolean {
  return principal.roles.includes('coordination');
}

/** A GP acts only on sessions they hold a published shift on; the coordination on any. */
export async function assertMayActOnSession(manager: EntityManager, principal: Principal, sessionId: string): Promise<void> {
  if (isCoordination(principal)) return;
  if (!principal.gpAgb || !(await rosteredPracticeOf(manager, sessionId, principal.gpAgb))) {
    throw notRostered(sessionId);
  }
}

export function notRostered(sessionId: string): ForbiddenException {
  return new ForbiddenException({ error: 'not_rostered', message: `You hold no published shift on session ${sessionId}` });
}
