/**
 * A list as one Postgres array literal, for a parameter cast to an array type (`$1::uuid[]`,
 * `$2::text[]`, `$3::bigint[]`), such as the ids of a chunk's new lines or of its consultations.
 * The pg driver does this itself for a JavaScript array, but quotes and escapes
 * every element through several intermediate strings (when the lines' 21 columns went as arrays,
 * that was a quarter of all the memory declarations allocated while consuming). Here an element
 * Postgres reads as it is (a uuid, digits, a code, hex, base64) is written as it is, anything else
 * quoted and escaped, and the list joined in one go.
 */
export function arrayLiteral(values: ReadonlyArray<string | number | null | undefined>): string {
  const elements = new Array<string>(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    if (value === null || value === undefined) elements[i] = 'NULL';
    else if (typeof value === 'number') elements[i] = String(value);
    else if (AS_IS.test(value) && !NULL_WORD.test(value)) elements[i] = value;
    else elements[i] = `"${value.replace(ESCAPED, '\\$&')}"`;
  }
  return `{${elements.join(',')}}`;
}

/** Characters an unquoted array element may not hold (array syntax, quoting, whitespace, which Postgres would trim). */
const AS_IS = /^[^{}",\\\s]+$/;
/** An unquoted NULL (any case) is a null element, not the word. */
const NULL_WORD = /^null$/i;
const ESCAPED = /["\\]/g;
