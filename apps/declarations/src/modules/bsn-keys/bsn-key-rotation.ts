import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JsonLogger, PollingLoop, SERVICE_CONFIG } from '@draaiboek/platform';
import { DeclarationsConfig } from '../../config/declarations.config';
import { BsnKeys } from './bsn-keys';

const BATCH = 200;

/**
 * Rotation: once a new key heads the keyring, every stored BSN data key under an older key is
 * wrapped again for it, a batch of keys at a time (decision 0035). The BSNs themselves, and the
 * lines of closed batches, do not change. When `pending()` is 0 the old key can leave the keyring.
 */
@Injectable()
export class BsnKeyRotation implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: PollingLoop;
  private readonly logger: JsonLogger;

  constructor(
    private readonly keys: BsnKeys,
    private readonly db: DataSource,
    @Inject(SERVICE_CONFIG) config: DeclarationsConfig,
  ) {
    this.logger = new JsonLogger('declarations', config.LOG_LEVEL);
    this.loop = new PollingLoop(() => this.rewrapBatch(), {
      intervalMs: config.BSN_REWRAP_INTERVAL_SECONDS * 1000,
      failureDelayMs: 10_000,
      moreToDo: (n) => n === BATCH,
      onError: (error) => this.logger.error({ msg: 'BSN re-encryption failed', error: error.message }, 'BsnKeyRotation'),
    });
  }

  onApplicationBootstrap(): void {
    if (this.keys.keyring) this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Stored data keys (each for up to 10,000 BSNs) not yet under the current key. */
  async pending(): Promise<number> {
    const ring = this.keys.keyring;
    if (!ring) return 0;
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM bsn_data_keys WHERE key_id <> $1`, [ring.currentKeyId]);
    return n;
  }

  /** Wraps up to one batch of data keys again for the current key; returns how many moved to it. */
  async rewrapBatch(): Promise<number> {
    const ring = this.keys.keyring;
    if (!ring) return 0;
    return this.db.transaction(async (manager) => {
      // Keys under a key that already left the keyring cannot be read by anyone: they stay, and are not asked for again.
      const rows: Array<{ id: string; key_id: string; encrypted_key: string }> = await manager.query(
        `SELECT id, key_id, encrypted_key FROM bsn_data_keys
          WHERE key_id <> $1 AND key_id = ANY($2::text[])
          ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [ring.currentKeyId, ring.keyIds],
      );
      for (const row of rows) {
        const rewrapped = ring.rewrapDataKey({ keyId: row.key_id, encryptedKey: row.encrypted_key });
        await manager.query('UPDATE bsn_data_keys SET key_id = $2, encrypted_key = $3 WHERE id = $1', [row.id, rewrapped.keyId, rewrapped.encryptedKey]);
      }
      if (rows.length > 0) this.logger.log({ msg: 'BSN data keys wrapped for the current key', count: rows.length, keyId: ring.currentKeyId }, 'BsnKeyRotation');
      return rows.length;
    });
  }
}
