import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { DataSource } from 'typeorm';
import { IsCalendarDate } from '@draaiboek/contracts';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { CHECKLIST_ITEM_NAMES } from '../../domain/checklist';

export class ChecklistItemRequestDto {
  /** Who takes care of it (a role or an organisation, e.g. "praktijkmanager hagro Emmen-Zuid"). */
  @IsString() @Length(1, 200) owner!: string;
  @IsCalendarDate() dueDate!: string;
}

export class OverrideRequestDto {
  /** Why sessions may start before the checklist is complete: kept with who and when. */
  @IsString() @Length(10, 1000) reason!: string;
}

export class CompleteItemRequestDto {
  @IsOptional() @IsString() @Length(1, 500) note?: string;
}

@ApiBearerAuth()
@Controller('v1/central-locations/:locationId')
export class ChecklistHttpController {
  constructor(private readonly db: DataSource) {}

  @ApiOperation({ summary: 'The setup checklist of a central location (rules 4 and 9)' })
  @Get('checklist')
  @Access('checklist', 'read')
  async checklist(@Param('locationId', new ParseUUIDPipe()) locationId: string) {
    const [location] = await this.db.query('SELECT override_reason, override_by, override_at FROM central_locations WHERE id = $1', [locationId]);
    if (!location) throw new NotFoundException({ error: 'unknown_central_location', message: `No central location ${locationId}` });
    const items = await this.db.query(
      `SELECT item, required, owner, to_char(due_date, 'YYYY-MM-DD') AS due_date, done_at, done_by FROM checklist_items WHERE central_location_id = $1 ORDER BY item`,
      [locationId],
    );
    return {
      items: items.map((i: Record<string, unknown>) => ({ item: i.item, required: i.required, owner: i.owner, dueDate: i.due_date, doneAt: i.done_at, doneBy: i.done_by })),
      override: location.override_reason ? { reason: location.override_reason, by: location.override_by, at: location.override_at } : null,
      ready: !!location.override_reason || items.every((i: { required: boolean; done_at: unknown }) => !i.required || i.done_at),
    };
  }

  @ApiOperation({ summary: 'Give a checklist item an owner and a date' })
  @Put('checklist/:item')
  @Access('checklist', 'plan')
  async plan(@Param('locationId', new ParseUUIDPipe()) locationId: string, @Param('item') item: string, @Body() body: ChecklistItemRequestDto) {
    this.assertItem(item);
    const updated = await this.db.query('UPDATE checklist_items SET owner = $3, due_date = $4 WHERE central_location_id = $1 AND item = $2 RETURNING item', [
      locationId,
      item,
      body.owner,
      body.dueDate,
    ]);
    if (updated[1] === 0) throw new NotFoundException({ error: 'unknown_central_location', message: `No central location ${locationId}` });
    return { item, owner: body.owner, dueDate: body.dueDate };
  }

  @ApiOperation({ summary: 'Mark a checklist item done (once: a second time is a 409)' })
  @Post('checklist/:item/done')
  @Access('checklist', 'complete')
  @HttpCode(200)
  async done(
    @Param('locationId', new ParseUUIDPipe()) locationId: string,
    @Param('item') item: string,
    @Body() _body: CompleteItemRequestDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    this.assertItem(item);
    return this.db.transaction(async (manager) => {
      const [row] = await manager.query('SELECT done_at, done_by FROM checklist_items WHERE central_location_id = $1 AND item = $2 FOR UPDATE', [locationId, item]);
      if (!row) throw new NotFoundException({ error: 'unknown_central_location', message: `No central location ${locationId}` });
      if (row.done_at) throw new ConflictException({ error: 'already_done', message: `${item} was closed before`, doneAt: row.done_at, doneBy: row.done_by });
      await manager.query('UPDATE checklist_items SET done_at = now(), done_by = $3 WHERE central_location_id = $1 AND item = $2', [locationId, item, principal.id]);
      return { item, done: true };
    });
  }

  @ApiOperation({ summary: 'Let sessions start before the checklist is complete; the reason is kept' })
  @Post('override')
  @Access('checklist', 'override')
  @HttpCode(200)
  async override(@Param('locationId', new ParseUUIDPipe()) locationId: string, @Body() body: OverrideRequestDto, @CurrentPrincipal() principal: Principal) {
    const updated = await this.db.query(
      'UPDATE central_locations SET override_reason = $2, override_by = $3, override_at = now() WHERE id = $1 AND override_reason IS NULL RETURNING id',
      [locationId, body.reason, principal.id],
    );
    if (updated[1] === 0) {
      const [exists] = await this.db.query('SELECT override_reason FROM central_locations WHERE id = $1', [locationId]);
      if (!exists) throw new NotFoundException({ error: 'unknown_central_location', message: `No central location ${locationId}` });
      throw new ConflictException({ error: 'already_overridden', message: 'The checklist was overridden before', reason: exists.override_reason });
    }
    return { overridden: true, reason: body.reason };
  }

  private assertItem(item: string): void {
    if (!(CHECKLIST_ITEM_NAMES as readonly string[]).includes(item)) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'item', messages: [`item must be one of ${CHECKLIST_ITEM_NAMES.join(', ')}`] }] });
    }
  }
}
