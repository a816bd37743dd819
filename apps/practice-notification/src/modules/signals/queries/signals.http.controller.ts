import { BadRequestException, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { mayRead } from '../commands/decide-arrangement/decide-arrangement.service';

/**
 * The in-app inbox: a practice sees its own notifications, a hagro coordinator those of the
 * hagro's practices, the coordination all of them.
 */
@ApiBearerAuth()
@Controller('v1')
export class SignalsHttpController {
  constructor(private readonly db: DataSource) {}

  @ApiOperation({ summary: 'Notifications (the in-app inbox), newest first; open=true for those awaiting a decision' })
  @Get('notifications')
  @Access('notifications', 'read')
  async inbox(@CurrentPrincipal() principal: Principal, @Query('open') open?: string, @Query('groupId') groupId?: string) {
    if (groupId !== undefined && !/^[0-9a-f-]{36}$/i.test(groupId)) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'groupId', messages: ['groupId must be a UUID'] }] });
    }
    const coordination = principal.roles.includes('coordination');
    const rows = await this.db.query(
      `SELECT n.*, p.name AS practice_name FROM notifications n JOIN practices p ON p.agb = n.practice_agb
        WHERE ($1 OR n.practice_agb = $2 OR n.hagro_code = $3)
          AND ($4::boolean IS NOT TRUE OR (n.needs_decision AND n.arrangement IS NULL))
          AND ($5::uuid IS NULL OR n.group_id = $5)
        ORDER BY n.created_at DESC, n.id LIMIT 500`,
      [coordination, principal.practiceAgb ?? null, principal.hagroCode ?? null, open === 'true', groupId ?? null],
    );
    return rows.map(view);
  }

  @ApiOperation({ summary: 'One notification' })
  @Get('notifications/:notificationId')
  @Access('notifications', 'read')
  async one(@Param('notificationId', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    const [row] = await this.db.query(
      `SELECT n.*, p.name AS practice_name FROM notifications n JOIN practices p ON p.agb = n.practice_agb WHERE n.id = $1`,
      [id],
    );
    if (!row || !mayRead(principal, row)) throw new NotFoundException({ error: 'unknown_notification', message: `No notification ${id}` });
    return view(row);
  }

  @ApiOperation({ summary: 'Alerts for the coordination: uncovered locations, unanswered requests' })
  @Get('alerts')
  @Access('alerts', 'read')
  async alerts() {
    const rows = await this.db.query(`SELECT id, group_id, kind, message, notification_id, created_at FROM coordination_alerts ORDER BY created_at DESC LIMIT 500`);
    return rows.map((r: Record<string, unknown>) => ({
      alertId: r.id,
      groupId: r.group_id,
      kind: r.kind,
      message: r.message,
      notificationId: r.notification_id,
      createdAt: r.created_at,
    }));
  }

  @ApiOperation({ summary: 'E-mail sent by this service: pending, sent or failed, with attempts and the last error' })
  @Get('mail')
  @Access('mail', 'read')
  async mail(@Query('status') status?: string) {
    if (status !== undefined && !['pending', 'sent', 'failed'].includes(status)) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'status', messages: ['status must be pending, sent or failed'] }] });
    }
    const rows = await this.db.query(
      `SELECT id, purpose, reference_id, subject, status, attempts, last_error, created_at, sent_at
         FROM mail_outbox WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC LIMIT 500`,
      [status ?? null],
    );
    // Addresses stay out of the answer: the reference tells whom a mail was for.
    return rows.map((r: Record<string, unknown>) => ({
      mailId: r.id,
      purpose: r.purpose,
      referenceId: r.reference_id,
      subject: r.subject,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: r.created_at,
      sentAt: r.sent_at,
    }));
  }
}

function view(r: Record<string, unknown>) {
  return {
    notificationId: r.id,
    groupId: r.group_id,
    practiceAgb: r.practice_agb,
    practiceName: r.practice_name,
    hagroCode: r.hagro_code,
    reason: r.reason,
    municipalityCode: r.municipality_code,
    location: r.location,
    headcount: r.headcount,
    arrivalDate: r.arrival_date instanceof Date ? r.arrival_date.toISOString().slice(0, 10) : r.arrival_date,
    advice: r.advice,
    needsDecision: r.needs_decision,
    decision: r.arrangement
      ? { arrangement: r.arrangement, decidedFor: r.decided_for, decidedBy: r.decided_by, decidedAt: r.decided_at }
      : null,
    remindedAt: r.reminded_at,
    escalatedAt: r.escalated_at,
    createdAt: r.created_at,
  };
}
