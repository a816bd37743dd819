/**
 * Finds personal data where none belongs (Kafka records, logs): a BSN (nine digits passing the
 * 11-check, standing alone), a field named after a personal identifier, or a value the caller
 * knows is personal (the names, e-mail addresses and references a test scenario used).
 * Encrypted values (`EncryptedValueV1`) and keyed pseudonyms are fine: that is how personal
 * data travels.
 */
export interface PersonalDataFinding {
  path: string;
  kind: 'bsn' | 'personal-field' | 'known-value';
  detail: string;
}

const PERSONAL_FIELDS = new Set(
  ['bsn', 'burgerservicenummer', 'citizenservicenumber', 'birthdate', 'dateofbirth', 'geboortedatum', 'firstname', 'lastname', 'surname', 'achternaam', 'voornaam', 'fullname', 'patientname', 'patientreference', 'gpname', 'gpemail', 'email', 'phone', 'telefoon'],
);
const STANDALONE_NINE_DIGITS = /(?<![0-9A-Za-z+/=_-])\d{9}(?![0-9A-Za-z+/=_-])/g;

/**
 * The Dutch citizen service number (BSN): 9 digits passing the 11-check (elfproef),
 * 9·d1 + 8·d2 + 7·d3 + 6·d4 + 5·d5 + 4·d6 + 3·d7 + 2·d8 − 1·d9 ≡ 0 (mod 11), and not all zeros.
 * An 8-digit BSN is written with a leading zero.
 */
export function isValidBsn(bsn: unknown): boolean {
  if (typeof bsn !== 'string' || !/^\d{9}$/.test(bsn) || bsn === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(bsn[i]);
  sum -= Number(bsn[8]);
  return sum % 11 === 0;
}

function scanText(text: string, path: string, known: string[], out: PersonalDataFinding[]): void {
  for (const match of text.matchAll(STANDALONE_NINE_DIGITS)) {
    if (isValidBsn(match[0])) out.push({ path, kind: 'bsn', detail: 'nine digits that pass the 11-check' });
  }
  const lower = text.toLowerCase();
  for (const value of known) {
    if (value && lower.includes(value.toLowerCase())) out.push({ path, kind: 'known-value', detail: `contains a personal value of the scenario (${value.length} characters)` });
  }
}

/** Scans a parsed JSON value; `known` are values that must not appear anywhere. */
export function personalDataIn(value: unknown, known: string[] = [], path = '$'): PersonalDataFinding[] {
  const out: PersonalDataFinding[] = [];
  const walk = (v: unknown, p: string) => {
    if (typeof v === 'string') scanText(v, p, known, out);
    else if (typeof v === 'number' && Number.isInteger(v)) scanText(String(v), p, known, out);
    else if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${p}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        // An encrypted BSN is how the BSN may travel: its field names say so, its content is ciphertext.
        if (key === 'encryptedBsn' || key === 'encrypted_bsn') continue;
        if (PERSONAL_FIELDS.has(key.toLowerCase().replace(/[_-]/g, '')) && child !== null && child !== undefined && child !== '') {
          out.push({ path: `${p}.${key}`, kind: 'personal-field', detail: `a field named ${key}` });
        }
        walk(child, `${p}.${key}`);
      }
    }
  };
  walk(value, path);
  return out;
}

/** Scans one line of text (a log line), parsed as JSON when it is JSON. */
export function personalDataInText(line: string, known: string[] = [], path = 'line'): PersonalDataFinding[] {
  try {
    return personalDataIn(JSON.parse(line), known, path);
  } catch {
    const out: PersonalDataFinding[] = [];
    scanText(line, path, known, out);
    return out;
  }
}
