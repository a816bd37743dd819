import { createPrivateKey, createPublicKey, KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Principal, Role } from './principal';

/**
 * People (not machines) reach the services through the web app, which calls them on the
 * person's behalf with a short-lived person token: a JWT signed with Ed25519 by the web app's
 * private key. The services hold only public keys, so a service cannot mint one. The guard
 * turns a valid token into the same Principal an API key gives (docs/decisions/0013).
 */
export const PERSON_TOKEN_ISSUER = 'draaiboek-web';
export const PERSON_TOKEN_AUDIENCE = 'draaiboek';
/** The roles a person token may carry: people's roles, and the web app's own directory look-up. */
export const PERSON_TOKEN_ROLES: readonly Role[] = ['coordination', 'practice', 'gp', 'finance', 'sign-in'];
/** The longest lifetime a service accepts, whatever the token says. */
export const PERSON_TOKEN_MAX_TTL_SECONDS = 600;

interface PersonTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  roles: Role[];
  practiceAgb?: string;
  hagroCode?: string;
  gpAgb?: string;
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** A compact JWS has three base64url parts; an API key (base64url, no dots) never does. */
export function looksLikePersonToken(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(credential);
}

export class PersonTokenSigner {
  private readonly key: KeyObject;

  constructor(
    privateKeyPem: string,
    private readonly keyId: string,
    private readonly ttlSeconds = 120,
  ) {
    this.key = createPrivateKey(privateKeyPem);
    if (this.key.asymmetricKeyType !== 'ed25519') throw new Error('person token key: expected an Ed25519 private key');
    if (ttlSeconds < 1 || ttlSeconds > PERSON_TOKEN_MAX_TTL_SECONDS) throw new Error(`person token lifetime must be 1..${PERSON_TOKEN_MAX_TTL_SECONDS} s`);
  }

  sign(principal: Principal, now: Date = new Date()): string {
    const extra = principal.roles.filter((r) => !PERSON_TOKEN_ROLES.includes(r));
    if (extra.length > 0) throw new Error(`a person token cannot carry the roles ${extra.join(', ')}`);
    const iat = Math.floor(now.getTime() / 1000);
    const claims: PersonTokenClaims = {
      iss: PERSON_TOKEN_ISSUER,
      aud: PERSON_TOKEN_AUDIENCE,
      sub: principal.id,
      jti: randomUUID(),
      iat,
      exp: iat + this.ttlSeconds,
      roles: principal.roles,
      ...(principal.practiceAgb ? { practiceAgb: principal.practiceAgb } : {}),
      ...(principal.hagroCode ? { hagroCode: principal.hagroCode } : {}),
      ...(principal.gpAgb ? { gpAgb: principal.gpAgb } : {}),
    };
    const signingInput = `${b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: this.keyId }))}.${b64url(JSON.stringify(claims))}`;
    return `${signingInput}.${b64url(sign(null, Buffer.from(signingInput), this.key))}`;
  }
}

export class PersonTokenVerifier {
  constructor(private readonly keys: ReadonlyMap<string, KeyObject>) {}

  /** `[{"keyId":"web-1","publicKey":"-----BEGIN PUBLIC KEY-----..."}]`; more than one while a key is rotated. */
  static fromConfig(json: string | undefined, file: string | undefined): PersonTokenVerifier {
    const text = json ?? (file ? readFileSync(file, 'utf8') : '[]');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('person token keys: not valid JSON');
    }
    if (!Array.isArray(parsed)) throw new Error('person token keys: expected a JSON array');
    const keys = new Map<string, KeyObject>();
    parsed.forEach((entry: { keyId?: unknown; publicKey?: unknown }, i) => {
      if (typeof entry?.keyId !== 'string' || typeof entry.publicKey !== 'string') throw new Error(`person token keys: entry ${i} needs keyId and publicKey`);
      let key: KeyObject;
      try {
        key = createPublicKey(entry.publicKey);
      } catch {
        throw new Error(`person token keys: entry ${i}: publicKey is not a PEM public key`);
      }
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`person token keys: entry ${i}: expected an Ed25519 key`);
      keys.set(entry.keyId, key);
    });
    return new PersonTokenVerifier(keys);
  }

  /** The principal of a valid, unexpired token from a known key; undefined for anything else. */
  verify(token: string, now: Date = new Date()): Principal | undefined {
    if (!looksLikePersonToken(token)) return undefined;
    const [headerPart, claimsPart, signaturePart] = token.split('.');
    const header = parseJson(headerPart) as { alg?: string; kid?: string } | undefined;
    if (!header || header.alg !== 'EdDSA' || typeof header.kid !== 'string') return undefined;
    const key = this.keys.get(header.kid);
    if (!key) return undefined;
    if (!verify(null, Buffer.from(`${headerPart}.${claimsPart}`), key, Buffer.from(signaturePart, 'base64url'))) return undefined;
    const claims = parseJson(claimsPart) as Partial<PersonTokenClaims> | undefined;
    if (!claims || claims.iss !== PERSON_TOKEN_ISSUER || claims.aud !== PERSON_TOKEN_AUDIENCE) return undefined;
    const seconds = now.getTime() / 1000;
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp <= seconds) return undefined;
    if (claims.exp - claims.iat > PERSON_TOKEN_MAX_TTL_SECONDS || claims.iat > seconds + 60) return undefined;
    if (typeof claims.sub !== 'string' || !Array.isArray(claims.roles) || claims.roles.length === 0) return undefined;
    if (!claims.roles.every((r) => PERSON_TOKEN_ROLES.includes(r))) return undefined;
    return {
      id: claims.sub,
      roles: claims.roles,
      ...(typeof claims.practiceAgb === 'string' ? { practiceAgb: claims.practiceAgb } : {}),
      ...(typeof claims.hagroCode === 'string' ? { hagroCode: claims.hagroCode } : {}),
      ...(typeof claims.gpAgb === 'string' ? { gpAgb: claims.gpAgb } : {}),
    };
  }
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
