import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EncryptedValue } from '@draaiboek/platform';

/** What a line keeps of its encrypted BSN: its own IV, ciphertext and GCM tag. The data key is in bsn_data_keys (decision 0035). */
export interface StoredBsn {
  iv: string;
  ciphertext: string;
  tag: string;
}

/**
 * The id of a data key: the first 16 bytes of SHA-256 over its wrapped form as it first arrived,
 * as a uuid (the migration BsnDataKeys1764800200000 computes the same in SQL). Every BSN that
 * arrives under that wrapped key names the same row, also after rotation wrapped it again.
 */
export function dataKeyIdOf(encryptedKey: string): string {
  const h = createHash('sha256').update(encryptedKey, 'utf8').digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The data keys of a set of lines being written: each distinct wrapped key once, stored (if new)
 * in the lines' transaction before the lines that name it.
 */
export class DataKeysOfLines {
  private readonly keys = new Map<string, { id: string; keyId: string; alg: string; encryptedKey: string }>();
  private last?: { id: string; keyId: string; alg: string; encryptedKey: string };

  /** The line's part of an encrypted BSN, and its data key's id. */
  split(value: EncryptedValue): { stored: StoredBsn; dataKeyId: string } {
    // Consecutive BSNs are nearly always under one data key: comparing its 512 characters with the
    // last one is cheaper than hashing them again for the map (each event brings its own copy).
    let key = this.last !== undefined && this.last.encryptedKey === value.encryptedKey ? this.last : this.keys.get(value.encryptedKey);
    if (!key) {
      key = { id: dataKeyIdOf(value.encryptedKey), keyId: value.keyId, alg: value.alg, encryptedKey: value.encryptedKey };
      this.keys.set(value.encryptedKey, key);
    }
    this.last = key;
    return { stored: { iv: value.iv, ciphertext: value.ciphertext, tag: value.tag }, dataKeyId: key.id };
  }

  /** Stores the keys not stored yet (one statement; nothing when the lines hold no BSN). */
  async store(manager: EntityManager): Promise<void> {
    if (this.keys.size === 0) return;
    const keys = [...this.keys.values()];
    await manager.query(
      `INSERT INTO bsn_data_keys (id, key_id, alg, encrypted_key)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) ON CONFLICT (id) DO NOTHING`,
      [keys.map((k) => k.id), keys.map((k) => k.keyId), keys.map((k) => k.alg), keys.map((k) => k.encryptedKey)],
    );
  }
}

/**
 * The columns of a line's encrypted BSN for a query over `declaration_lines l`, in the order
 * `DataKeysOfBatch.valueOf` takes them: its data key's id, IV, ciphertext and tag (all null for a
 * line without a BSN).
 */
export const LINE_BSN_COLUMNS = `l.bsn_data_key_id, l.encrypted_bsn->>'iv', l.encrypted_bsn->>'ciphertext', l.encrypted_bsn->>'tag'`;

/**
 * The data keys of one batch's lines, read once before its lines: a line names its key by id
 * (0035), so the key's 512-character wrapped form does not come along with every line, and every
 * value under one key shares one string, which the decryptor's cache finds without hashing it again.
 */
export class DataKeysOfBatch {
  private constructor(private readonly keys: ReadonlyMap<string, Pick<EncryptedValue, 'keyId' | 'alg' | 'encryptedKey'>>) {}

  static async load(db: Pick<EntityManager, 'query'>, batchId: string): Promise<DataKeysOfBatch> {
    const rows: Array<{ id: string; key_id: string; alg: string; encrypted_key: string }> = await db.query(
      `SELECT k.id::text, k.key_id, k.alg, k.encrypted_key FROM bsn_data_keys k
        WHERE k.id IN (SELECT l.bsn_data_key_id FROM declaration_lines l WHERE l.batch_id = $1 AND l.bsn_data_key_id IS NOT NULL)`,
      [batchId],
    );
    return new DataKeysOfBatch(new Map(rows.map((r) => [r.id, { keyId: r.key_id, alg: r.alg as EncryptedValue['alg'], encryptedKey: r.encrypted_key }])));
  }

  /** Whether any line of the batch holds a BSN (every such line names one of these keys). */
  get holdBsns(): boolean {
    return this.keys.size > 0;
  }

  /**
   * The whole encrypted value of a line from the fields of LINE_BSN_COLUMNS, starting at `at`, or
   * null for a line without a BSN.
   */
  valueOf(fields: ReadonlyArray<string | null>, at: number): EncryptedValue | null {
    const id = fields[at];
    if (id === null) return null;
    const key = this.keys.get(id);
    // The lines' trigger keeps every named key in bsn_data_keys, and keys are never deleted.
    if (!key) throw new Error(`BSN data key ${id} of a line is missing`);
    return { keyId: key.keyId, alg: key.alg, encryptedKey: key.encryptedKey, iv: fields[at + 1], ciphertext: fields[at + 2], tag: fields[at + 3] } as EncryptedValue;
  }
}
