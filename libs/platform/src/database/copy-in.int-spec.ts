import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { serviceDataSourceOptions } from './database';
import { to as copyTo } from 'pg-copy-streams';
import type { PoolClient } from 'pg';
import { copyField, copyIn } from './copy-in';
import { CopyTextRows } from './copy-out';

const copyRow = (values: Array<string | number | null>) => `${values.map(copyField).join('\t')}\n`;

jest.setTimeout(60_000);

describe('copyIn and CopyTextRows: rows written with COPY FROM STDIN, read with COPY TO STDOUT', () => {
  const schema = `copy_in_${randomBytes(4).toString('hex')}`;
  let db: DataSource;

  beforeAll(async () => {
    db = new DataSource(serviceDataSourceOptions({ url: process.env.DATABASE_URL as string, schema, entities: [], migrations: [] }));
    await db.initialize();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.rows (n int PRIMARY KEY, text text, amount bigint, doc jsonb)`);
  });

  afterAll(async () => {
    await db?.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await db?.destroy();
  });

  it('writes exactly the values it was given, whatever they hold', async () => {
    const texts = ['plain', '', 'NULL', '\\N', 'back\\slash', 'tab\there', 'line\nbreak', 'carriage\rreturn', 'a "quoted", {braced} text', ' spaced ', 'ë ñ 😀', null];
    const rows = texts.map((text, n) => copyRow([n, text, n % 2 ? null : n * 1229, JSON.stringify({ text })])).join('');

    const copied = await copyIn(db.manager, `COPY rows (n, text, amount, doc) FROM STDIN`, rows);

    expect(copied).toBe(texts.length);
    const back: Array<{ text: string | null; amount: string | null; doc: { text: string | null } }> = await db.query(`SELECT text, amount, doc FROM rows ORDER BY n`);
    expect(back.map((r) => r.text)).toEqual(texts);
    expect(back.map((r) => r.amount)).toEqual(texts.map((_, n) => (n % 2 ? null : String(n * 1229))));
    expect(back.map((r) => r.doc.text)).toEqual(texts);
  });

  it('copies inside the caller’s transaction, and a refused row fails the copy with Postgres’ error', async () => {
    await db.query(`TRUNCATE rows`);
    const row = (n: number) => copyRow([n, `row ${n}`, null, null]);

    await expect(
      db.transaction(async (manager) => {
        expect(await copyIn(manager, `COPY rows (n, text, amount, doc) FROM STDIN`, row(1) + row(2))).toBe(2);
        // Seen inside the transaction before it commits: the copy ran on the transaction's own connection.
        expect(await manager.query(`SELECT count(*)::int AS n FROM rows`)).toEqual([{ n: 2 }]);
        await copyIn(manager, `COPY rows (n, text, amount, doc) FROM STDIN`, row(3) + row(1));
      }),
    ).rejects.toMatchObject({ code: '23505' });

    // Nothing of the failed transaction is left, and the pool's connections still work.
    expect(await db.query(`SELECT count(*)::int AS n FROM rows`)).toEqual([{ n: 0 }]);
    expect(await copyIn(db.manager, `COPY rows (n, text, amount, doc) FROM STDIN`, row(4))).toBe(1);
    expect(await copyIn(db.manager, `COPY rows (n, text, amount, doc) FROM STDIN`, '')).toBe(0);
    expect(await db.query(`SELECT n FROM rows`)).toEqual([{ n: 4 }]);
  });

  it('reads back with CopyTextRows exactly what was copied in, control characters and all', async () => {
    await db.query(`TRUNCATE rows`);
    const texts = ['plain', '', 'NULL', '\\N', 'back\\slash', 'tab\there', 'line\nbreak', 'carriage\rreturn', 'bell\b form\f vtab\v', 'ë ñ 😀', null];
    // Enough rows that Postgres sends them in many chunks, cut wherever its buffers end.
    const rows = Array.from({ length: 5000 }, (_, n) => [n, texts[n % texts.length]] as const);
    await copyIn(db.manager, `COPY rows (n, text) FROM STDIN`, rows.map((r) => `${r[0]}\t${copyField(r[1])}\n`).join(''));

    const runner = db.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      const read: Array<Array<string | null>> = [];
      const reader = new CopyTextRows((fields) => read.push(fields));
      const stream = client.query(copyTo(`COPY (SELECT n, text FROM rows ORDER BY n) TO STDOUT`));
      let chunks = 0;
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
          chunks += 1;
          reader.push(chunk);
        });
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      reader.end();
      expect(chunks).toBeGreaterThan(1);
      expect(read).toEqual(rows.map(([n, text]) => [String(n), text]));
    } finally {
      await runner.release();
    }
  });
});
