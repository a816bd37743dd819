import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Min, ValidateNested } from 'class-validator';
import { describeFieldErrors, IsCalendarDate, validateAgainst } from '@draaiboek/contracts';
import { Payer } from '../lines/domain/payer-routing';

class PerformanceEntry {
  @Matches(/^\d{5}$/) code!: string;
  @IsString() description!: string;
}

class TariffEntry {
  @Matches(/^\d{5}$/) code!: string;
  @IsIn(['CAK', 'RMO', 'CAK-OVV']) payer!: Payer;
  @IsCalendarDate() validFrom!: string;
  @IsOptional() @IsCalendarDate() validTo?: string;
  /** Integer cents: money is never a float. */
  @IsInt() @Min(0) amountCents!: number;
}

class TariffFile {
  @IsString() version!: string;
  @IsString() source!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => PerformanceEntry) performances!: PerformanceEntry[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => TariffEntry) tariffs!: TariffEntry[];
}

export type TariffLookup = { ok: true; amountCents: number; version: string } | { ok: false; reason: 'unknown-code' | 'no-tariff'; message: string };

/** Performance codes and their tariffs per payer, with validity dates, from a versioned file. */
export class TariffTable {
  private readonly codes: Set<string>;

  private constructor(private readonly file: TariffFile) {
    this.codes = new Set(file.performances.map((p) => p.code));
  }

  static fromJson(json: unknown): TariffTable {
    const parsed = validateAgainst(TariffFile, json);
    if (!parsed.ok) throw new Error(`tariff file: ${describeFieldErrors(parsed.errors)}`);
    const table = new TariffTable(parsed.value);
    for (const t of parsed.value.tariffs) {
      if (!table.codes.has(t.code)) throw new Error(`tariff file: tariff for unknown performance code ${t.code}`);
      if (t.validTo && t.validTo < t.validFrom) throw new Error(`tariff file: ${t.code}/${t.payer} ends before it starts`);
    }
    // Two tariffs for one code and payer must not overlap in time: the amount would be ambiguous.
    const byKey = new Map<string, TariffEntry[]>();
    for (const t of parsed.value.tariffs) byKey.set(`${t.code}/${t.payer}`, [...(byKey.get(`${t.code}/${t.payer}`) ?? []), t]);
    for (const [key, list] of byKey) {
      const sorted = [...list].sort((a, b) => a.validFrom.localeCompare(b.validFrom));
      for (let i = 1; i < sorted.length; i++) {
        if (!sorted[i - 1].validTo || (sorted[i - 1].validTo as string) >= sorted[i].validFrom) throw new Error(`tariff file: overlapping tariffs for ${key}`);
      }
    }
    return table;
  }

  get version(): string {
    return this.file.version;
  }

  lookup(code: string, payer: Payer, dateOfCare: string): TariffLookup {
    if (!this.codes.has(code)) return { ok: false, reason: 'unknown-code', message: `performance code ${code} is not in tariff file ${this.version}` };
    const tariff = this.file.tariffs.find((t) => t.code === code && t.payer === payer && t.validFrom <= dateOfCare && (!t.validTo || dateOfCare <= t.validTo));
    if (!tariff) return { ok: false, reason: 'no-tariff', message: `no tariff for ${code} paid by ${payer} on ${dateOfCare} in tariff file ${this.version}` };
    return { ok: true, amountCents: tariff.amountCents, version: this.version };
  }
}
