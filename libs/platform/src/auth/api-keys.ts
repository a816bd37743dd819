import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { IsArray, IsIn, IsISO8601, IsOptional, IsString, Matches, ArrayMinSize } from 'class-validator';
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
  /** After this instant the key no longer works: the old key of a rotation, during its grace period. */
  @IsOptional() @IsISO8601({ strict: true }) notAfter?: string;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** How often a configured API_KEYS_FILE is checked for changes (revocation without a restart). */
export const API_KEYS_FILE_CHECK_MS = 2000;

interface LoadedKey {
  hash: Buffer;
  principal: Principal;
  notAfter?: number;
}

function parseEntries(text: string): LoadedKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('API keys: not valid JSON');
  }
  if (!Array.isArray(parsed)) throw new Error('API keys: expected a JSON array');
  return parsed.map((raw, i) => {
    const result = validateAgainst(ApiKeyEntry, raw);
    if (!result.ok) throw new Error(`API keys: entry ${i}: ${describeFieldErrors(result.errors)}`);
    const e = result.value;
    return {
      hash: Buffer.from(e.sha256, 'hex'),
      notAfter: e.notAfter ? Date.parse(e.notAfter) : undefined,
      principal: {
        id: e.id,
        roles: e.roles,
        municipalityCode: e.municipalityCode,
        practiceAgb: e.practiceAgb,
        gpAgb: e.gpAgb,
        hagroCode: e.hagroCode,
      },
    };
  });
}

/**
 * Machine credentials (municipal systems, schedulers, finance) as hashed API keys. With
 * API_KEYS_FILE the file is re-read when it changes, so the coordination issues, rotates and
 * revokes keys (`tools/credentials/api-keys.js`) without a restart. A file that no longer
 * parses is refused and the keys loaded before stay in force: a typo locks nobody out.
 */
export class ApiKeyRegistry {
  private entries: LoadedKey[];
  private fileStamp?: string;
  private checkedAt = 0;
  /** Why the last change of the file was refused, if it was. */
  lastReloadError?: string;

  private constructor(
    entries: LoadedKey[],
    private readonly file?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = entries;
    if (file) this.fileStamp = stampOf(file);
    this.checkedAt = now();
  }

  static fromConfig(json: string | undefined, file: string | undefined, now: () => number = Date.now): ApiKeyRegistry {
    if (json !== undefined) return new ApiKeyRegistry(parseEntries(json), undefined, now);
    if (!file) return new ApiKeyRegistry([], undefined, now);
    return new ApiKeyRegistry(parseEntries(readFileSync(file, 'utf8')), file, now);
  }

  authenticate(presentedKey: string): Principal | undefined {
    this.reloadWhenChanged();
    const presented = createHash('sha256').update(presentedKey, 'utf8').digest();
    const now = this.now();
    // Compare against every entry so timing does not reveal which one matched.
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.hash, presented) && (entry.notAfter === undefined || now <= entry.notAfter)) found = entry.principal;
    }
    return found;
  }

  private reloadWhenChanged(): void {
    if (!this.file || this.now() - this.checkedAt < API_KEYS_FILE_CHECK_MS) return;
    this.checkedAt = this.now();
    try {
      const stamp = stampOf(this.file);
      if (stamp === this.fileStamp) return;
      this.entries = parseEntries(readFileSync(this.file, 'utf8'));
      this.fileStamp = stamp;
      this.lastReloadError = undefined;
    } catch (error) {
      this.lastReloadError = (error as Error).message;
    }
  }
}

function stampOf(file: string): string {
  const s = statSync(file);
  return `${s.mtimeMs}:${s.size}:${s.ino}`;
}
