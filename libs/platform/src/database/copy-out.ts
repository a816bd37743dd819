import { StringDecoder } from 'node:string_decoder';

/**
 * Rows read from `COPY ... TO STDOUT` (text format), for volume: Postgres writes them as a stream
 * of text, without a message per row for the client to parse into an object, and goes on writing
 * while the client is busy with the rows it has (until the socket's buffers are full). Measured
 * on the export of declaration batches (decision 0038).
 *
 * The stream (pg-copy-streams' `to`) comes in chunks that do not follow rows: a chunk may end in
 * the middle of a row, or of a character. `CopyTextRows` takes the chunks in order and hands over
 * each complete row as its fields: `null` for `\N`, escapes undone.
 */
export class CopyTextRows {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  /** Complete rows handed over so far. */
  count = 0;

  constructor(private readonly onRow: (fields: Array<string | null>) => void) {}

  /** The rows completed by this chunk, each to `onRow` in order. */
  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.onRow(copyFields(text.slice(start, end)));
      this.count += 1;
      start = end + 1;
    }
    this.rest = text.slice(start);
  }

  /** After the last chunk: throws when the stream ended in the middle of a row. */
  end(): void {
    const left = this.rest + this.decoder.end();
    if (left.length > 0) throw new Error(`COPY output ended in the middle of a row (${left.length} characters after the last newline)`);
  }
}

/** The fields of one row of COPY's text format (without its newline). */
export function copyFields(row: string): Array<string | null> {
  const fields: Array<string | null> = row.split('\t');
  for (let i = 0; i < fields.length; i += 1) {
    const field = fields[i] as string;
    if (field === '\\N') fields[i] = null;
    else if (field.includes('\\')) fields[i] = field.replace(ESCAPE, unescape);
  }
  return fields;
}

/**
 * COPY TO writes a backslash, and the control characters among the data, as a backslash and one
 * character (`\\`, `\t`, `\n`, `\r`, `\b`, `\f`, `\v`); it never writes octal or hex escapes.
 */
const ESCAPE = /\\(.)/gs;
const LETTERS: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const unescape = (_: string, c: string): string => LETTERS[c] ?? c;
