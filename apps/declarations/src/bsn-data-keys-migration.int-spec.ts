import request from 'supertest';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestSystem, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { DataKeyEncryptor, EncryptedValue, migrateServiceDatabase, serviceDataSourceOptions } from '@draaiboek/platform';
import { DeclarationsInitial1763856400000 } from './migrations/1763856400000-declarations-initial';
import { DeclarationLines1764100000000 } from './migrations/1764100000000-declaration-lines';
import { DeclarationBatches1764100100000 } from './migrations/1764100100000-declaration-batches';
import { LineCorrections1764100200000 } from './migrations/1764100200000-line-corrections';
import { BsnKeyRotation1764100300000 } from './migrations/1764100300000-bsn-key-rotation';
import { OpenBatches1764100400000 } from './migrations/1764100400000-open-batches';
import { DropUnusedBsnKeyIndex1764100500000 } from './migrations/1764100500000-drop-unused-bsn-key-index';
import { ClosedBatchLinesKept1764800100000 } from './migrations/1764800100000-closed-batch-lines-kept';
import { BsnDataKeys1764800200000 } from './migrations/1764800200000-bsn-data-keys';
import { declarationsService } from './declarations.service';
import { dataKeyIdOf } from './modules/bsn-keys/bsn-data-keys';

jest.setTimeout(120_000);

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const BEFORE = [DeclarationsInitial1763856400000, DeclarationLines1764100000000, DeclarationBatches1764100100000, LineCorrections1764100200000, BsnKeyRotation1764100300000, OpenBatches1764100400000, DropUnusedBsnKeyIndex1764100500000, ClosedBatchLinesKept1764800100000];

/**
 * Lines from before BsnDataKeys1764800200000 carry their whole encrypted BSN, wrapped data key
 * included. The migration stores each data key once and leaves the lines their IV, ciphertext and
 * tag: the BSNs read as before, a closed batch's included, and down again gives the old values.
 */
describe('BSN data keys on a database with encrypted BSNs from before', () => {
  let system: TestSystem;
  let source: DataSource;
  const schema = 'declarations';
  const closedBatch = randomUUID();
  const shared = new DataKeyEncryptor(publicPem, 'declarations-test');
  const values: Array<[string, EncryptedValue | null]> = [
    ['123456782', shared.encrypt('123456782')],
    ['111222333', shared.encrypt('111222333')], // the same data key as the first
    ['192837465', new DataKeyEncryptor(publicPem, 'declarations-test').encrypt('192837465')],
    ['', null],
  ];
  const q = (sql: string, params: unknown[] = []) => source.query(sql, params);
  const oldValues = () => q(`SELECT encrypted_bsn FROM declaration_lines ORDER BY consultation_id`).then((rows) => rows.map((r: { encrypted_bsn: unknown }) => r.encrypted_bsn));

  beforeAll(async () => {
    system = await createTestSystem();
    source = new DataSource(serviceDataSourceOptions({ url: system.databaseUrl, schema, entities: [], migrations: BEFORE }));
    await source.initialize();
    await migrateServiceDatabase(source, schema);
    await q(`INSERT INTO declaration_batches (id, payer, period_start, period_end) VALUES ($1, 'RMO', '2026-11-02', '2026-11-08')`, [closedBatch]);
    for (const [i, [, value]] of values.entries()) {
      await q(
        `INSERT INTO declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code, duration_class,
                                        payer, payer_scheme, amount_cents, tariff_version, status, patient_pseudonym, encrypted_bsn, batch_id)
         VALUES (gen_random_uuid(), $1, gen_random_uuid(), gen_random_uuid(), '81000011', '99100001', '2026-11-03', '12000', 'regular', 'RMO', 'RMO', 1229, 'nza-2026', 'open', $2, $3, $4)`,
        [`00000000-0000-4000-8000-00000000000${i}`, 'd'.repeat(64), value ? JSON.stringify(value) : null, closedBatch],
      );
    }
    await q(`UPDATE declaration_batches SET line_count = 4, total_cents = 4916, checksum = 'c', closed_by = 'schedule', closed_at = now() WHERE id = $1`, [closedBatch]);
  });

  afterAll(async () => {
    await source?.destroy();
    await system?.stop();
  });

  it('stores each data key once, leaves each line its own IV, ciphertext and tag, and the closed batch exports the same BSNs', async () => {
    const before = await oldValues();
    await source.destroy();
    const service = await system.start(declarationsService, { env: { DECLARATIONS_PRIVATE_KEY: privatePem } });
    source = new DataSource(serviceDataSourceOptions({ url: system.databaseUrl, schema, entities: [], migrations: declarationsService.migrations }));
    await source.initialize();

    const stored = await q(`SELECT encrypted_bsn, bsn_data_key_id::text FROM declaration_lines ORDER BY consultation_id`);
    expect(stored).toEqual(
      values.map(([, v]) => (v ? { encrypted_bsn: { iv: v.iv, ciphertext: v.ciphertext, tag: v.tag }, bsn_data_key_id: dataKeyIdOf(v.encryptedKey) } : { encrypted_bsn: null, bsn_data_key_id: null })),
    );
    const dataKeys = await q(`SELECT id::text, key_id, alg, encrypted_key FROM bsn_data_keys ORDER BY id`);
    const distinct = [values[0][1], values[2][1]] as EncryptedValue[];
    expect(dataKeys).toEqual(
      distinct.map((v) => ({ id: dataKeyIdOf(v.encryptedKey), key_id: 'declarations-test', alg: v.alg, encrypted_key: v.encryptedKey })).sort((a, b) => a.id.localeCompare(b.id)),
    );
    const { text } = await request(service.url).get(`/v1/batches/${closedBatch}/export?format=json`).set('Authorization', `Bearer ${TEST_KEYS.finance}`).expect(200);
    expect((JSON.parse(text) as Array<{ consultation_id: string; bsn: string }>).sort((a, b) => a.consultation_id.localeCompare(b.consultation_id)).map((l) => l.bsn)).toEqual(values.map(([bsn]) => bsn));

    // The closed batch's lines keep their BSN as batched; a data key cannot be deleted, nor a line name one that does not exist.
    await expect(q(`UPDATE declaration_lines SET bsn_data_key_id = NULL, encrypted_bsn = NULL WHERE batch_id = $1`, [closedBatch])).rejects.toThrow(/closed batch/);
    await expect(q(`DELETE FROM bsn_data_keys`)).rejects.toThrow(/never deleted/);
    await expect(
      q(
        `INSERT INTO declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code, duration_class,
                                        payer, payer_scheme, status, patient_pseudonym, encrypted_bsn, bsn_data_key_id, problem)
         VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '81000011', '99100001', '2026-11-20', '12000', 'regular', 'RMO', 'RMO', 'needs-attention', $1, '{"iv":"a","ciphertext":"b","tag":"c"}', $2, 'x')`,
        ['d'.repeat(64), randomUUID()],
      ),
    ).rejects.toThrow(/data key .* does not exist/);
    await service.close();

    // Down (the migrations after it first): every line has its whole value again, exactly as before.
    const applied = declarationsService.migrations.length - declarationsService.migrations.indexOf(BsnDataKeys1764800200000);
    for (let n = 0; n < applied; n += 1) await source.undoLastMigration({ transaction: 'each' });
    expect(await oldValues()).toEqual(before);
  });
});
