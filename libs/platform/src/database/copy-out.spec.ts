import { CopyTextRows, copyFields } from './copy-out';
import { copyField } from './copy-in';

/** Rows in COPY's text format, escaped by copyField (COPY TO also escapes \b \f \v: the last test). */
const ROWS: Array<Array<string | null>> = [
  ['0197a1b2-0000-7000-8000-000000000001', '2026-11-02', '12000', null],
  ['tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash'],
  ['ë ñ 😀 €', '', 'NULL', '\\N'],
  [null, null, null, null],
  ['{"line_id":"a","amount_cents":1229', 'x', 'y', 'z'],
];
const text = ROWS.map((r) => r.map(copyField).join('\t') + '\n').join('');

function readIn(chunks: Buffer[]): Array<Array<string | null>> {
  const rows: Array<Array<string | null>> = [];
  const reader = new CopyTextRows((fields) => rows.push(fields));
  for (const chunk of chunks) reader.push(chunk);
  reader.end();
  expect(reader.count).toBe(rows.length);
  return rows;
}

describe('CopyTextRows: rows read from COPY TO STDOUT, in chunks that do not follow rows', () => {
  const bytes = Buffer.from(text, 'utf8');

  it('gives back every row with its fields, nulls and escapes undone, in one chunk', () => {
    expect(readIn([bytes])).toEqual(ROWS);
  });

  it('gives back the same rows wherever the stream is cut: in a row, in an escape, in a character of several bytes', () => {
    for (let at = 1; at < bytes.length; at += 1) {
      expect(readIn([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(ROWS);
    }
    // And a byte at a time.
    expect(readIn(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toEqual(ROWS);
  });

  it('refuses a stream that ends in the middle of a row', () => {
    const reader = new CopyTextRows(() => undefined);
    reader.push(bytes.subarray(0, bytes.length - 3));
    expect(() => reader.end()).toThrow(/ended in the middle of a row/);
    expect(reader.count).toBe(ROWS.length - 1);
  });

  it('undoes the escapes COPY TO writes for control characters', () => {
    expect(copyFields('a\\bb\\fc\\vd\\\\e\\tf')).toEqual(['a\bb\fc\vd\\e\tf']);
  });
});
