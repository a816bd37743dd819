import request from 'supertest';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Topics } from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { RunningService } from '@draaiboek/messaging';
import { encryptFor } from '@draaiboek/platform';
import { DeclarationsConfig } from './config/declarations.config';
import { declarationsService } from './declarations.service';
import { BsnKeyRotation } from './modules/bsn-keys/bsn-key-rotation';
import { consultationRecorded } from './testing/consultation-recorded';

jest.setTimeout(120_000);

const pem = () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
};
const OLD = { keyId: 'declarations-2025', ...pem() };
const NEW = { keyId: 'declarations-2026', ...pem() };
const keyring = (...keys: Array<typeof OLD>) => JSON.stringify(keys.map(({ keyId, privateKey }) => ({ keyId, privateKey })));

function consultation(dateOfCare: string, bsn: string, key: typeof OLD) {
  return consultationRecorded({
    dateOfCare,
    payerStatus: { bsnKnown: true, thirdCountryNational: false },
    patientPseudonym: randomBytes(32).toString('hex'),
    encryptedBsn: encryptFor(key.publicKey, key.keyId, bsn),
  });
}

describe('BSN key rotation: stored data keys move to the new key, closed batches untouched, and export throughout', () => {
  let system: TestSystem;
  let probe: KafkaProbe;
  let db: Client;
  let service: RunningService<DeclarationsConfig>;
  const bsns = ['123456782', '111222333', '192837465'];

  const start = async (env: Record<string, string>) => {
    service = await system.start(declarationsService, { env: { BSN_REWRAP_INTERVAL_SECONDS: '1', ...env } });
  };
  // Under which declarations key each line's BSN can be read: its data key's (decision 0035).
  const keyIds = async () =>
    (
      await db.query(
        `SELECT k.key_id, count(*)::int AS n FROM declarations.declaration_lines l JOIN declarations.bsn_data_keys k ON k.id = l.bsn_data_key_id GROUP BY 1 ORDER BY 1`,
      )
    ).rows;
  const lineVersions = async () => (await db.query(`SELECT id, xmin::text AS xmin, encrypted_bsn, bsn_data_key_id FROM declarations.declaration_lines ORDER BY id`)).rows;
  const exportOf = async (batchId: string) => {
    const { text } = await request(service.url).get(`/v1/batches/${batchId}/export?format=json`).set('Authorization', `Bearer ${TEST_KEYS.finance}`).expect(200);
    return (JSON.parse(text) as Array<{ bsn: string }>).map((l) => l.bsn).sort();
  };

  beforeAll(async () => {
    system = await createTestSystem();
    probe = new KafkaProbe();
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await probe?.close();
    await system?.stop();
  });

  it('rotates from the old key to the new one without losing a BSN', async () => {
    // Before: everything is under the old key, and a batch is closed (immutable).
    await start({ DECLARATIONS_PRIVATE_KEYS: keyring(OLD) });
    await probe.produce(system.topic(Topics.consultations.name), bsns.map((bsn) => consultation('2026-11-10', bsn, OLD)).map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    await eventually(async () => (await keyIds()).length === 1 && (await keyIds())[0].n === 3, { what: 'three lines' });
    const { body } = await request(service.url).post('/v1/batches/close').set('Authorization', `Bearer ${TEST_KEYS.finance}`).send({ until: '2026-11-16' }).expect(200);
    const batchId = body.closed[0].batchId;
    expect(await exportOf(batchId)).toEqual([...bsns].sort());
    // Only the rotation worker may touch a closed batch's BSN; anyone else is refused.
    await expect(db.query(`UPDATE declarations.declaration_lines SET encrypted_bsn = encrypted_bsn || '{"iv":"forged"}'`)).rejects.toThrow(/closed batch/);
    const closedLines = await lineVersions();
    await service.close();

    // Step 1: the new key heads the keyring, the old one stays; the worker re-encrypts.
    await start({ DECLARATIONS_PRIVATE_KEYS: keyring(NEW, OLD) });
    await probe.produce(system.topic(Topics.consultations.name), [consultation('2026-11-11', '987654321', OLD)].map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    await eventually(async () => {
      const rows = await keyIds();
      return rows.length === 1 && rows[0].key_id === NEW.keyId && rows[0].n === 4;
    }, { what: 'every BSN under the new key' });
    expect(await service.app.get(BsnKeyRotation).pending()).toBe(0);
    expect(await exportOf(batchId)).toEqual([...bsns].sort());
    // Only the data keys were wrapped again: the closed batch's lines are the very rows they were.
    expect((await lineVersions()).filter((l) => closedLines.some((c) => c.id === l.id))).toEqual(closedLines);
    await service.close();

    // Step 2: the old key leaves the keyring; nothing needed it any more.
    await start({ DECLARATIONS_PRIVATE_KEYS: keyring(NEW) });
    expect(await exportOf(batchId)).toEqual([...bsns].sort());
    const { rows } = await db.query(
      `SELECT (SELECT count(*)::int FROM declarations.declaration_lines WHERE encrypted_bsn::text LIKE '%' || $1 || '%')
            + (SELECT count(*)::int FROM declarations.bsn_data_keys WHERE encrypted_key LIKE '%' || $1 || '%') AS n`,
      [bsns[0]],
    );
    expect(rows[0].n).toBe(0); // never in plaintext at rest
  });

  it('refuses to start with a keyring that does not parse, naming the setting', async () => {
    await expect(system.start(declarationsService, { env: { DECLARATIONS_PRIVATE_KEYS: '[{"keyId":"x"}]' } })).rejects.toThrow(/DECLARATIONS_PRIVATE_KEYS/);
  });
});
