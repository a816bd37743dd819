import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EncryptedValue, JsonLogger, PollingLoop, SERVICE_CONFIG } from '@draaiboek/platform';
import { DeclarationsConfig } from '../../config/declarations.config';
import { BsnKeys } from './bsn-keys';

const BATCH = 200;

/**
 * Rotation: once a new key heads the keyring, every stored BSN under an older key is
 * re-encrypted for it, a batch at a time, closed batches included (the one change the
 * immutability trigger allows them). When `pending()` is 0 the old key can leave the keyring.
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

  /** Stored BSNs not yet under the current key. */
  async pending(): Promise<number> {
    const ring = this.keys.keyring;
    if (!ring) return 0;
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM declaration_lines WHERE encrypted_bsn IS NOT NULL AND encrypted_bsn->>'keyId' <> $1`, [ring.currentKeyId]);
    return n;
  }

  /** Re-encrypts up to one batch; returns how many values moved to the current key. */
  async rewrapBatch(): Promise<number> {
    const ring = this.keys.keyring;
    if (!ring) return 0;
    return this.db.transaction(async (manager) => {
      await manager.query(`SELECT set_config('draaiboek.bsn_rewrap', 'on', true)`);
      const rows: Array<{ id: string; encrypted_bsn: EncryptedValue }> = await manager.query(
        `SELECT id, encrypted_bsn FROM declaration_lines
          WHERE encrypted_bsn IS NOT NULL AND encrypted_bsn->>'keyId' <> $1
          ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [ring.currentKeyId],
      );
      let moved = 0;
      for (const row of rows) {
        // A value under a key that already left the keyring cannot be read by anyone: leave it.
        if (!ring.has(row.encrypted_bsn.keyId)) continue;
        await manager.query('UPDATE declaration_lines SET encrypted_bsn = $2 WHERE id = $1', [row.id, JSON.stringify(ring.rewrap(row.encrypted_bsn))]);
        moved += 1;
      }
      if (moved > 0) this.logger.log({ msg: 'BSNs re-encrypted for the current key', count: moved, keyId: ring.currentKeyId }, 'BsnKeyRotation');
      return rows.length === BATCH ? BATCH : moved;
    });
  }
}
