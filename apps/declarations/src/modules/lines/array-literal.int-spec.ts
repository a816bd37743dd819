import { Client } from 'pg';
import { arrayLiteral } from './array-literal';

describe('arrayLiteral: a column of lines as one Postgres array parameter', () => {
  let db: Client;

  beforeAll(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
  });

  it('reaches Postgres as exactly the values it was made of, whatever they hold', async () => {
    const texts = [
      '018f4d3c-0000-7000-8000-000000000001',
      '12000',
      'iv+/base64==',
      null,
      '',
      'NULL',
      'null',
      'a "quoted" code',
      'back\\slash',
      '\\"both\\"',
      'comma, {brace}',
      ' spaced ',
      'tab\there',
      'line\nbreak',
      'ë ñ 😀',
      undefined,
    ];
    const { rows } = await db.query('SELECT $1::text[] AS texts, $2::bigint[] AS numbers, $3::uuid[] AS uuids', [
      arrayLiteral(texts),
      arrayLiteral([1229, 0, null, 2458]),
      arrayLiteral(['018F4D3C-0000-7000-8000-000000000001', null]),
    ]);
    expect(rows[0].texts).toEqual(texts.map((t) => t ?? null));
    expect(rows[0].numbers).toEqual(['1229', '0', null, '2458']);
    expect(rows[0].uuids).toEqual(['018f4d3c-0000-7000-8000-000000000001', null]);
    expect((await db.query('SELECT cardinality($1::text[]) AS n', [arrayLiteral([])])).rows[0].n).toBe(0);
  });
});
