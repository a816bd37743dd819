import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { PersonTokenSigner, SERVICE_CONFIG } from '@draaiboek/platform';
import { WebConfig } from '../../config/web.config';
import { Person } from './person';

export type ServiceName = 'intake' | 'practice-notification' | 'clinic-scheduling' | 'declarations';

export interface ServiceAnswer<T = unknown> {
  ok: boolean;
  status: number;
  body: T;
}

/** The web app's own identity for the directory look-up at sign-in. */
export const SIGN_IN_CALLER: Person = { id: 'web-sign-in', roles: ['sign-in'] };

/**
 * Calls the services on a person's behalf, with a short-lived person token: the services'
 * own access rules decide what the person may see and do.
 */
@Injectable()
export class ServicesClient {
  private readonly bases: Record<ServiceName, string>;

  constructor(
    @Inject(SERVICE_CONFIG) config: WebConfig,
    private readonly signer: PersonTokenSigner,
  ) {
    this.bases = {
      intake: config.INTAKE_URL,
      'practice-notification': config.PRACTICE_NOTIFICATION_URL,
      'clinic-scheduling': config.CLINIC_SCHEDULING_URL,
      declarations: config.DECLARATIONS_URL,
    };
  }

  async call<T = unknown>(person: Person, service: ServiceName, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ServiceAnswer<T>> {
    const response = await this.fetch(person, service, method, path, body);
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { ok: response.ok, status: response.status, body: parsed as T };
  }

  /** The raw response, for what is streamed through (batch exports, calendar feeds). */
  async fetch(person: Person, service: ServiceName, method: string, path: string, body?: unknown, accept?: string): Promise<Response> {
    const token = this.signer.sign({ id: person.id, roles: person.roles, practiceAgb: person.practiceAgb, hagroCode: person.hagroCode, gpAgb: person.gpAgb });
    try {
      return await fetch(this.bases[service] + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(accept ? { accept } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new ServiceUnavailableException({ error: 'service_unreachable', service, message: `${service} did not answer (${(error as Error).message})` });
    }
  }
}
