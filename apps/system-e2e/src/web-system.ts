import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createTestSystem, eventually, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { clinicSchedulingService, declarationsService, intakeService, practiceNotificationService, webService } from './all-services';

/** The people of the demo directory the web tests sign in as (fictitious, from the seed files). */
export const PEOPLE = {
  coordination: 'coordinatie@example.org',
  finance: 'financien@example.org',
  /** The contact person of practice 99001015, whose catchment covers AZC Emmen's PC4 7811. */
  practice: 'praktijk-99001015@example.org',
  practiceAgb: '99001015',
} as const;

export interface WebSystem {
  system: TestSystem;
  webUrl: string;
  intakeUrl: string;
  practiceUrl: string;
  clinicUrl: string;
  declarationsUrl: string;
  /** The sign-in link in the newest mail to this address. */
  signInLink(email: string, after?: number): Promise<string>;
  stop(): Promise<void>;
}

/** All four services and the web app on the suite's real Kafka and Postgres, with the demo directory. */
export async function startWebSystem(): Promise<WebSystem> {
  const system = await createTestSystem();
  const persons = generateKeyPairSync('ed25519');
  const declarations = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const personKeys = JSON.stringify([{ keyId: 'web-test', publicKey: persons.publicKey.export({ type: 'spki', format: 'pem' }).toString() }]);
  const env = { PERSON_TOKEN_PUBLIC_KEYS: personKeys };
  const intake = await system.start(intakeService, { env });
  const practice = await system.start(practiceNotificationService, { env });
  const clinic = await system.start(clinicSchedulingService, {
    env: {
      ...env,
      DECLARATIONS_PUBLIC_KEY: declarations.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      PATIENT_PSEUDONYM_KEY: randomBytes(32).toString('base64url'),
    },
  });
  const decl = await system.start(declarationsService, {
    env: { ...env, DECLARATIONS_PRIVATE_KEY: declarations.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
  });
  const port = await freePort();
  const webUrl = `http://127.0.0.1:${port}`;
  await system.start(webService, {
    port,
    env: {
      PUBLIC_BASE_URL: webUrl,
      PERSON_TOKEN_PRIVATE_KEY: persons.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      PERSON_TOKEN_KEY_ID: 'web-test',
      INTAKE_URL: intake.url,
      PRACTICE_NOTIFICATION_URL: practice.url,
      CLINIC_SCHEDULING_URL: clinic.url,
      DECLARATIONS_URL: decl.url,
      WEB_STAFF: JSON.stringify([
        { id: 'coordinatie-test', email: PEOPLE.coordination, name: 'Coördinatie (test)', roles: ['coordination'] },
        { id: 'financien-test', email: PEOPLE.finance, name: 'Financiën (test)', roles: ['finance'] },
      ]),
    },
  });

  for (const [file, path] of [['drenthe-practices.csv', 'practices'], ['drenthe-gps.csv', 'gps']]) {
    const response = await fetch(`${practice.url}/v1/directory/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${TEST_KEYS.coordination}` },
      body: readFileSync(join(__dirname, '../../practice-notification/seed', file), 'utf8'),
    });
    if (response.status !== 200) throw new Error(`seeding ${file}: HTTP ${response.status}`);
  }
  // Rostering learns the directory from PracticeRegistered events.
  await eventually(async () => {
    const rows = await clinic.dataSource.query('SELECT count(*)::int AS n FROM gps');
    return rows[0].n > 200;
  }, { what: 'clinic-scheduling to know the GPs', timeoutMs: 60_000 });

  return {
    system,
    webUrl,
    intakeUrl: intake.url,
    practiceUrl: practice.url,
    clinicUrl: clinic.url,
    declarationsUrl: decl.url,
    async signInLink(email: string, after = 0) {
      const mail = await eventually(async () => [...system.mail.messages].reverse().find((m, i, all) => all.length - i > after && m.to.includes(email)), {
        what: `a sign-in mail to ${email}`,
      });
      const link = /https?:\/\/\S+\/sign-in\/[A-Za-z0-9_-]{43}\S*/.exec(mail.text)?.[0];
      if (!link) throw new Error(`no sign-in link in: ${mail.text}`);
      return link;
    },
    stop: () => system.stop(),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
