import { generateKeyPairSync } from 'node:crypto';
import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRegistry, sha256Hex } from './api-keys';
import { Access } from './access-table';
import { AuthGuard } from './auth.guard';
import { PersonTokenSigner, PersonTokenVerifier } from './person-token';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const web = keyPair();
const other = keyPair();
const verifier = PersonTokenVerifier.fromConfig(JSON.stringify([{ keyId: 'web-1', publicKey: web.publicPem }]), undefined);
const signer = new PersonTokenSigner(web.privatePem, 'web-1', 60);
const gp = { id: 'gp-80010000', roles: ['gp' as const], gpAgb: '80010000' };

describe('person tokens: the web app acts for a person, the services check who', () => {
  it('a token signed by the web key becomes the same principal', () => {
    expect(verifier.verify(signer.sign(gp))).toEqual(gp);
  });

  it('an expired token is refused', () => {
    const token = signer.sign(gp, new Date(Date.now() - 61_000));
    expect(verifier.verify(token)).toBeUndefined();
  });

  it('a token signed by another key, or under an unknown key id, is refused', () => {
    expect(verifier.verify(new PersonTokenSigner(other.privatePem, 'web-1').sign(gp))).toBeUndefined();
    expect(verifier.verify(new PersonTokenSigner(web.privatePem, 'web-2').sign(gp))).toBeUndefined();
  });

  it('a token whose claims were changed after signing is refused', () => {
    const [header, , signature] = signer.sign(gp).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'draaiboek-web', aud: 'draaiboek', sub: 'x', roles: ['coordination'], iat: 1, exp: 9e9 })).toString('base64url');
    expect(verifier.verify(`${header}.${forged}.${signature}`)).toBeUndefined();
  });

  it('cannot carry a machine role such as municipality or scheduler', () => {
    expect(() => signer.sign({ id: 'x', roles: ['municipality'] })).toThrow(/municipality/);
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => PersonTokenVerifier.fromConfig(JSON.stringify([{ keyId: 'k', publicKey: rsa }]), undefined)).toThrow(/Ed25519/);
  });
});

/** An endpoint a GP and the coordination may use (shifts:read in the access table). */
class ShiftsEndpoint {
  @Access('shifts', 'read')
  shifts(): string {
    return 'shifts';
  }
}

describe('AuthGuard accepts person tokens alongside API keys', () => {
  const guard = new AuthGuard(new Reflector(), ApiKeyRegistry.fromConfig(JSON.stringify([{ id: 'coord', sha256: sha256Hex('coord-key'), roles: ['coordination'] }]), undefined), verifier);
  const context = (authorization: string) => {
    const request: Record<string, unknown> = { headers: { authorization } };
    const ctx = {
      getType: () => 'http',
      getHandler: () => ShiftsEndpoint.prototype.shifts,
      getClass: () => ShiftsEndpoint,
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    return { ctx, request };
  };

  it('attaches the principal of a valid person token', () => {
    const { ctx, request } = context(`Bearer ${signer.sign(gp)}`);
    expect(guard.canActivate(ctx)).toBe(true);
    expect(request.principal).toEqual(gp);
  });

  it('still takes API keys, and refuses a bad person token', () => {
    expect(guard.canActivate(context('Bearer coord-key').ctx)).toBe(true);
    const expired = signer.sign(gp, new Date(Date.now() - 120_000));
    expect(() => guard.canActivate(context(`Bearer ${expired}`).ctx)).toThrow(UnauthorizedException);
  });
});
