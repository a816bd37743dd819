import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { Access } from '../auth/access-table';
import { pseudonymOf } from '../crypto/envelope-encryption';
import { AuditLog, AuditRecord } from './audit-log';

/** Give exactly one: the patient's reference (where this service holds the pseudonym key), its pseudonym, or a GP's AGB. */
export class AuditQueryDto {
  @IsOptional() @IsString() @Length(1, 100) patientReference?: string;
  @IsOptional() @Matches(/^[0-9a-f]{64}$/, { message: 'patientPseudonym must be 64 lower-case hex characters' }) patientPseudonym?: string;
  @IsOptional() @Matches(/^\d{8}$/, { message: 'gpAgb must be an AGB code of 8 digits' }) gpAgb?: string;
}

/** The service's secret for keyed patient pseudonyms, when it has one. */
export const AUDIT_PSEUDONYM_KEY = Symbol('AUDIT_PSEUDONYM_KEY');

@ApiBearerAuth()
@Controller('v1/audit')
export class AuditHttpController {
  constructor(
    private readonly audit: AuditLog,
    @Inject(AUDIT_PSEUDONYM_KEY) private readonly pseudonymKey: string | undefined,
  ) {}

  @ApiOperation({ summary: "NEN 7513: who read or changed a patient's or a GP's data in this service, and when, and on whose behalf" })
  @Get()
  @Access('audit', 'read')
  async query(@Query() query: AuditQueryDto): Promise<{ entries: AuditRecord[] }> {
    const given = [query.patientReference, query.patientPseudonym, query.gpAgb].filter((v) => v !== undefined);
    if (given.length !== 1) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'patientReference', messages: ['give exactly one of patientReference, patientPseudonym, gpAgb'] }] });
    }
    if (query.gpAgb) return { entries: await this.audit.about('gp', query.gpAgb) };
    if (query.patientPseudonym) return { entries: await this.audit.about('patient', query.patientPseudonym) };
    if (!this.pseudonymKey) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'patientReference', messages: ['this service keeps no patient pseudonym key; ask by patientPseudonym'] }] });
    }
    return { entries: await this.audit.about('patient', pseudonymOf(this.pseudonymKey, (query.patientReference as string).trim())) };
  }
}
