import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { Access, Role } from '@draaiboek/platform';
import { Region } from '../domain/region';

export class PeopleLookupRequestDto {
  @IsEmail() @MaxLength(254)
  email!: string;
}

export interface PersonIdentity {
  /** Stable id that the services record as who acted; never the e-mail address. */
  id: string;
  roles: Role[];
  name?: string;
  practiceAgb?: string;
  hagroCode?: string;
  gpAgb?: string;
}

/**
 * Who owns an e-mail address in the directory: practice contact persons, GPs, hagro
 * coordinators. The web app asks this at sign-in; the address travels in the body, so it stays
 * out of URLs and access logs.
 */
@ApiBearerAuth()
@Controller('v1/people')
export class PeopleHttpController {
  constructor(
    private readonly db: DataSource,
    @Inject(Region) private readonly region: Region,
  ) {}

  @ApiOperation({ summary: 'The directory identities of an e-mail address (for sign-in): practice contact, GP, hagro coordinator' })
  @Post('lookup')
  @HttpCode(200)
  @Access('people', 'lookup')
  async lookup(@Body() body: PeopleLookupRequestDto): Promise<{ identities: PersonIdentity[] }> {
    const email = body.email.trim().toLowerCase();
    const practices: Array<{ agb: string; contact_name: string }> = await this.db.query(
      'SELECT agb, contact_name FROM practices WHERE lower(contact_email) = $1 ORDER BY agb',
      [email],
    );
    const gps: Array<{ agb: string; name: string; practice_agb: string }> = await this.db.query(
      'SELECT agb, name, practice_agb FROM gps WHERE lower(email) = $1 ORDER BY agb',
      [email],
    );
    const identities: PersonIdentity[] = [
      ...practices.map((p) => ({ id: `practice-${p.agb}`, roles: ['practice' as Role], name: p.contact_name, practiceAgb: p.agb })),
      ...gps.map((g) => ({ id: `gp-${g.agb}`, roles: ['gp' as Role], name: g.name, gpAgb: g.agb, practiceAgb: g.practice_agb })),
      ...this.region.file.hagros
        .filter((h) => h.coordinator.email.toLowerCase() === email)
        .map((h) => ({ id: h.coordinator.id, roles: ['practice' as Role], name: h.name, hagroCode: h.code })),
    ];
    return { identities };
  }
}
