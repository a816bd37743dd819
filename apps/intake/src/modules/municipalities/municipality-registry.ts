import { IsArray, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { CBS_MUNICIPALITY_CODE, describeFieldErrors, IsCalendarDate, validateAgainst } from '@draaiboek/contracts';

class MunicipalityEntry {
  @Matches(CBS_MUNICIPALITY_CODE) code!: string;
  @IsString() @Length(1, 100) name!: string;
  @IsOptional() @IsString() province?: string;
  /** Absent: valid since before this registry's records begin. */
  @IsOptional() @IsCalendarDate() validFrom?: string;
  /** Last day the code was valid (inclusive); absent while it is current. */
  @IsOptional() @IsCalendarDate() validTo?: string;
  @IsOptional() @Matches(CBS_MUNICIPALITY_CODE) succeededBy?: string;
}

class MunicipalityFile {
  @IsString() source!: string;
  @IsString() version!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => MunicipalityEntry) municipalities!: MunicipalityEntry[];
}

export type MunicipalityCheck =
  | { ok: true; name: string }
  | { ok: false; message: string };

/**
 * CBS municipality codes with their validity dates. Codes change when municipalities merge
 * or are renamed, so a code is checked against a date, not just for existence.
 */
export class MunicipalityRegistry {
  private readonly byCode: Map<string, MunicipalityEntry>;

  constructor(readonly version: string, entries: MunicipalityEntry[]) {
    this.byCode = new Map(entries.map((e) => [e.code, e]));
  }

  static fromJson(json: unknown): MunicipalityRegistry {
    const parsed = validateAgainst(MunicipalityFile, json);
    if (!parsed.ok) throw new Error(`municipality registry: ${describeFieldErrors(parsed.errors)}`);
    const codes = parsed.value.municipalities.map((m) => m.code);
    const duplicate = codes.find((c, i) => codes.indexOf(c) !== i);
    if (duplicate) throw new Error(`municipality registry: ${duplicate} appears twice`);
    return new MunicipalityRegistry(parsed.value.version, parsed.value.municipalities);
  }

  /** Is `code` a known municipality, valid on `date` (YYYY-MM-DD)? */
  check(code: string, date: string): MunicipalityCheck {
    const entry = this.byCode.get(code);
    if (!entry) return { ok: false, message: `${code} is not a known municipality (registry ${this.version})` };
    if (entry.validFrom && date < entry.validFrom) {
      return { ok: false, message: `${code} (${entry.name}) is only valid from ${entry.validFrom}` };
    }
    if (entry.validTo && date > entry.validTo) {
      const successor = entry.succeededBy ? `; use ${entry.succeededBy} (${this.byCode.get(entry.succeededBy)?.name ?? 'its successor'})` : '';
      return { ok: false, message: `${code} (${entry.name}) is no longer valid since ${entry.validTo}${successor}` };
    }
    return { ok: true, name: entry.name };
  }

  nameOf(code: string): string | undefined {
    return this.byCode.get(code)?.name;
  }
}
