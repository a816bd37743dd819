import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Access } from '@draaiboek/platform';
import { lineStateSql } from '../batches/open-batches';

@ApiBearerAuth()
@Controller('v1/lines')
export class LinesHttpController {
  constructor(private readonly db: DataSource) {}

  @ApiOperation({ summary: 'Totals of declaration lines per payer and status (the coordination sees totals, never lines)' })
  @Get('totals')
  @Access('declaration-lines', 'totals')
  async totals() {
    const rows = await this.db.query(
      `SELECT l.payer, ${lineStateSql('l', 'b')} AS status, count(*)::int AS lines, coalesce(sum(l.amount_cents), 0)::bigint AS amount_cents
         FROM declaration_lines l LEFT JOIN declaration_batches b ON b.id = l.batch_id GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return rows.map((r: { payer: string; status: string; lines: number; amount_cents: string }) => ({
      payer: r.payer,
      status: r.status,
      lines: r.lines,
      amountCents: Number(r.amount_cents),
    }));
  }
}
