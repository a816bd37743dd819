import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IsArray, IsIn, IsOptional, IsString, Matches, ArrayMinSize } from 'class-validator';
import { validateAgainst, describeFieldErrors } from '@draaiboek/contracts';
import { Principal, ROLES, Role } from './principal';

class ApiKeyEntry {
  @IsString() id!: string;
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lower-case hex characters' }) sha256!: string;
  @IsArray() @ArrayMinSize(1) @IsIn(ROLES, { each: true }) roles!: Role[];
  @IsOptional() @Matches(/^GM\d{4}$/) municipalityCode?: string;
  @IsOptional() @Matches(/^\d{8}$/) practiceAgb?: string;
  @IsOptional() @Matches(/^\d{8}$/) gpAgb?: string;
  @IsOptional() @IsString() hagroCode?: string;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Machine credentials (municipal systems, schedulers, finance) as hashed API keys.
 * The security issue adds sign-in for people; both end in the same Principal.
 */
export class ApiKeyRegistry {
  private readonly entries: Array<{ hash: Buffer; principal: Principal }>;

  constructor(entries: ApiKeyEntry[]) {
    this.entries = entries.map((e) => ({
      hash: Buffer.from(e.sha256, 'hex'),
      principal: {
        id: e.id,
        roles: e.roles,
        municipalityCode: e.municipalityCode,
        practiceAgb: e.practiceAgb,
        gpAgb: e.gpAgb,
        hagroCode: e.hagroCode,
      },
    }));
  }

  static fromConfig(json: string | undefined, file: string | undefined): ApiKeyRegistry {
    const text = json ?? (file ? readFileSync(file, 'utf8') : '[]');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('API keys: not valid JSON');
    }
    if (!Array.isArray(parsed)) throw new Error('API keys: expected a JSON array');
    const entries = parsed.map((raw, i) => {
      const result = validateAgainst(ApiKeyEntry, raw);
      if (!result.ok) throw new Error(`API keys: entry ${i}: ${describeFieldErrors(result.errors)}`);
      return result.value;
    });
    return new ApiKeyRegistry(entries);
  }

  authenticate(presentedKey: string): Principal | undefined {
    const presented = createHash('sha256').update(presentedKey, 'utf8').digest();
    // Compare against every entry so timing does not reveal which one matched.
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.hash, presented)) found = entry.principal;
    }
    return found;
  }
}
