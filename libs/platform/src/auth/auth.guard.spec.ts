import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRegistry, sha256Hex } from './api-keys';
import { AuthGuard, Public, Roles } from './auth.guard';

const registry = ApiKeyRegistry.fromConfig(
  JSON.stringify([
    { id: 'gm0114', sha256: sha256Hex('emmen-key'), roles: ['municipality'], municipalityCode: 'GM0114' },
    { id: 'coord', sha256: sha256Hex('coord-key'), roles: ['coordination'] },
  ]),
  undefined,
);

class Handlers {
  @Roles('coordination')
  coordinationOnly(): string {
    return 'coordination';
  }
  anyPrincipal(): string {
    return 'any';
  }
  @Public()
  health(): string {
    return 'ok';
  }
}

function context(handler: keyof Handlers, authorization?: string): { ctx: ExecutionContext; request: Record<string, unknown> } {
  const request: Record<string, unknown> = { headers: authorization ? { authorization } : {} };
  const ctx = {
    getType: () => 'http',
    getHandler: () => Handlers.prototype[handler],
    getClass: () => Handlers,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { ctx, request };
}

describe('AuthGuard: every HTTP endpoint sits behind it, deny by default', () => {
  const guard = new AuthGuard(new Reflector(), registry);

  it('refuses a request without a credential', () => {
    expect(() => guard.canActivate(context('anyPrincipal').ctx)).toThrow(UnauthorizedException);
  });

  it('refuses an unknown key', () => {
    expect(() => guard.canActivate(context('anyPrincipal', 'Bearer nope').ctx)).toThrow(UnauthorizedException);
  });

  it('attaches the principal of a known key, with its municipality', () => {
    const { ctx, request } = context('anyPrincipal', 'Bearer emmen-key');
    expect(guard.canActivate(ctx)).toBe(true);
    expect(request.principal).toEqual(expect.objectContaining({ id: 'gm0114', roles: ['municipality'], municipalityCode: 'GM0114' }));
  });

  it('refuses a principal without the required role', () => {
    expect(() => guard.canActivate(context('coordinationOnly', 'Bearer emmen-key').ctx)).toThrow(ForbiddenException);
    expect(guard.canActivate(context('coordinationOnly', 'Bearer coord-key').ctx)).toBe(true);
  });

  it('lets anyone reach an endpoint marked public', () => {
    expect(guard.canActivate(context('health').ctx)).toBe(true);
  });
});

describe('ApiKeyRegistry configuration', () => {
  it('rejects a key entry with an unknown role or a plaintext key', () => {
    expect(() => ApiKeyRegistry.fromConfig(JSON.stringify([{ id: 'x', sha256: sha256Hex('k'), roles: ['admin'] }]), undefined)).toThrow(/roles/);
    expect(() => ApiKeyRegistry.fromConfig(JSON.stringify([{ id: 'x', sha256: 'plaintext', roles: ['finance'] }]), undefined)).toThrow(/sha256/);
    expect(() => ApiKeyRegistry.fromConfig('not json', undefined)).toThrow(/JSON/);
  });
});
