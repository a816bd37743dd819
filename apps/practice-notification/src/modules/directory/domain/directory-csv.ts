import { parse } from 'csv-parse/sync';
import { Region } from './region';

export interface RowReport {
  /** 1-based line number in the file, the header being line 1. */
  line: number;
  key: string;
  status: 'accepted' | 'rejected';
  reasons: string[];
}

export interface PracticeRow {
  agb: string;
  name: string;
  street: string;
  postcode: string;
  city: string;
  latitude: number;
  longitude: number;
  hagro: string;
  wagro: string | null;
  catchment: string[];
  contactName: string;
  contactEmail: string;
}

export interface GpRow {
  agb: string;
  practiceAgb: string;
  name: string;
  email: string;
  fte: number;
}

export const PRACTICE_COLUMNS = ['agb', 'name', 'street', 'postcode', 'city', 'latitude', 'longitude', 'hagro', 'wagro', 'catchment', 'contact_name', 'contact_email'] as const;
export const GP_COLUMNS = ['agb', 'practice_agb', 'name', 'email', 'fte'] as const;

const AGB = /^\d{8}$/;
const POSTCODE = /^[1-9]\d{3} ?(?![sS][aAdDsS])[a-zA-Z]{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class CsvFileError extends Error {}

function readRows(text: string, columns: readonly string[]): Array<Record<string, string>> {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, bom: true, relax_column_count: true });
  } catch (error) {
    throw new CsvFileError(`not a readable CSV file: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new CsvFileError('the file is empty');
  const header = records[0].map((h) => h.toLowerCase());
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length) throw new CsvFileError(`missing columns: ${missing.join(', ')} (expected ${columns.join(',')})`);
  const unknown = header.filter((h) => !columns.includes(h));
  if (unknown.length) throw new CsvFileError(`unknown columns: ${unknown.join(', ')}`);
  return records.slice(1).map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}

/** Validates every row of a practices file; the caller applies the file only if all rows are accepted. */
export function readPracticesCsv(text: string, region: Region): { reports: RowReport[]; rows: PracticeRow[] } {
  const raw = readRows(text, PRACTICE_COLUMNS);
  const reports: RowReport[] = [];
  const rows: PracticeRow[] = [];
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    const reasons: string[] = [];
    if (!AGB.test(r.agb)) reasons.push('agb must be 8 digits');
    else if (seen.has(r.agb)) reasons.push(`agb ${r.agb} appears twice in the file`);
    seen.add(r.agb);
    if (!r.name) reasons.push('name is required');
    if (!r.street) reasons.push('street is required');
    if (!POSTCODE.test(r.postcode)) reasons.push('postcode must be a Dutch postcode (1234 AB)');
    if (!r.city) reasons.push('city is required');
    const latitude = Number(r.latitude);
    const longitude = Number(r.longitude);
    if (!r.latitude || !(latitude >= 50.7 && latitude <= 53.6)) reasons.push('latitude must lie in the Netherlands (50.7 to 53.6)');
    if (!r.longitude || !(longitude >= 3.3 && longitude <= 7.3)) reasons.push('longitude must lie in the Netherlands (3.3 to 7.3)');
    if (!region.hagro(r.hagro)) reasons.push(`hagro ${r.hagro || '(empty)'} is not a hagro of region ${region.name}`);
    if (r.wagro && !region.hasWagro(r.wagro)) reasons.push(`wagro ${r.wagro} is not a wagro of region ${region.name}`);
    const catchment = r.catchment.split(/[\s;]+/).filter(Boolean);
    if (catchment.length === 0) reasons.push('catchment must list at least one PC4 area');
    const unknownPc4 = catchment.filter((pc4) => !region.hasPc4(pc4));
    if (unknownPc4.length) reasons.push(`catchment has PC4 areas outside region ${region.name}: ${unknownPc4.join(' ')}`);
    if (!r.contact_name) reasons.push('contact_name is required');
    if (!EMAIL.test(r.contact_email)) reasons.push('contact_email must be an e-mail address');
    reports.push({ line: i + 2, key: r.agb, status: reasons.length ? 'rejected' : 'accepted', reasons });
    if (reasons.length === 0) {
      rows.push({
        agb: r.agb,
        name: r.name,
        street: r.street,
        postcode: r.postcode.toUpperCase().replace(/^(\d{4}) ?/, '$1 '),
        city: r.city,
        latitude,
        longitude,
        hagro: r.hagro,
        wagro: r.wagro || null,
        catchment: [...new Set(catchment)].sort(),
        contactName: r.contact_name,
        contactEmail: r.contact_email,
      });
    }
  });
  return { reports, rows };
}

/** Validates a GPs file; `knownPractices` are the practice AGB codes in the directory. */
export function readGpsCsv(text: string, knownPractices: ReadonlySet<string>): { reports: RowReport[]; rows: GpRow[] } {
  const raw = readRows(text, GP_COLUMNS);
  const reports: RowReport[] = [];
  const rows: GpRow[] = [];
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    const reasons: string[] = [];
    if (!AGB.test(r.agb)) reasons.push('agb must be 8 digits');
    else if (seen.has(r.agb)) reasons.push(`agb ${r.agb} appears twice in the file`);
    seen.add(r.agb);
    if (!AGB.test(r.practice_agb)) reasons.push('practice_agb must be 8 digits');
    else if (!knownPractices.has(r.practice_agb)) reasons.push(`practice_agb ${r.practice_agb} is not a practice in the directory`);
    if (!r.name) reasons.push('name is required');
    if (!EMAIL.test(r.email)) reasons.push('email must be an e-mail address');
    const fte = Number(r.fte);
    if (!r.fte || !(fte > 0 && fte <= 1.5) || Math.round(fte * 100) !== fte * 100) reasons.push('fte must be a number above 0 and at most 1.5, with at most 2 decimals');
    reports.push({ line: i + 2, key: r.agb, status: reasons.length ? 'rejected' : 'accepted', reasons });
    if (reasons.length === 0) rows.push({ agb: r.agb, practiceAgb: r.practice_agb, name: r.name, email: r.email, fte });
  });
  return { reports, rows };
}
