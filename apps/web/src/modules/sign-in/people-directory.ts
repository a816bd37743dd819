import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { SERVICE_CONFIG } from '@draaiboek/platform';
import { WebConfig } from '../../config/web.config';
import { mergeIdentities, Person } from './person';
import { ServicesClient, SIGN_IN_CALLER } from './services-client';

interface StaffEntry extends Person {
  email: string;
}

/**
 * Who may sign in: the coordination's and finance's people from configuration, and everyone
 * the practice directory knows (contact persons, GPs, hagro coordinators), asked over HTTP.
 */
@Injectable()
export class PeopleDirectory {
  private readonly staff: StaffEntry[];

  constructor(
    @Inject(SERVICE_CONFIG) config: WebConfig,
    private readonly services: ServicesClient,
  ) {
    this.staff = parseStaff(config.WEB_STAFF ?? (config.WEB_STAFF_FILE ? readFileSync(config.WEB_STAFF_FILE, 'utf8') : '[]'));
  }

  async find(email: string): Promise<Person | undefined> {
    const address = email.trim().toLowerCase();
    const staff = this.staff.filter((s) => s.email === address).map(({ email: _email, ...person }) => person);
    const answer = await this.services.call<{ identities: Person[] }>(SIGN_IN_CALLER, 'practice-notification', 'POST', '/v1/people/lookup', { email: address });
    if (!answer.ok && answer.status !== 400) throw new Error(`directory look-up failed: HTTP ${answer.status}`);
    return mergeIdentities([...staff, ...(answer.ok ? answer.body.identities : [])]);
  }
}

export function parseStaff(text: string): StaffEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('WEB_STAFF: not valid JSON');
  }
  if (!Array.isArray(parsed)) throw new Error('WEB_STAFF: expected a JSON array');
  return parsed.map((e: Partial<StaffEntry>, i) => {
    if (typeof e?.id !== 'string' || typeof e.email !== 'string' || !e.email.includes('@')) throw new Error(`WEB_STAFF: entry ${i} needs id and email`);
    const roles = Array.isArray(e.roles) ? e.roles : [];
    if (roles.length === 0 || !roles.every((r) => r === 'coordination' || r === 'finance')) {
      throw new Error(`WEB_STAFF: entry ${i}: roles must be coordination and/or finance (practices and GPs come from the directory)`);
    }
    return { id: e.id, email: e.email.trim().toLowerCase(), name: typeof e.name === 'string' ? e.name : undefined, roles };
  });
}
