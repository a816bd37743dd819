import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Optional,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_RULE_KEY, AccessRule, rolesAllowed } from './access-table';
import { ApiKeyRegistry } from './api-keys';
import { looksLikePersonToken, PersonTokenVerifier } from './person-token';
import { Principal } from './principal';

export const PUBLIC_ROUTE_KEY = 'draaiboek:public';
/** A machine client acting for a person names that person here; the audit log records both. */
export const ON_BEHALF_OF_HEADER = 'x-on-behalf-of';
const SAFE_USER_ID = /^[A-Za-z0-9@._:-]{1,200}$/;

/** Opens an endpoint to anyone (health, docs). Everything else requires a principal and a rule. */
export const Public = () => SetMetadata(PUBLIC_ROUTE_KEY, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal;
});

/**
 * The one guard every HTTP endpoint sits behind: deny by default. A principal passes when the
 * endpoint's `@Access(resource, action)` rule in the access table allows one of its roles.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRegistry,
    @Optional() private readonly persons?: PersonTokenVerifier,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true; // Kafka handlers are authenticated by the broker.
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers['authorization'];
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException({ error: 'unauthenticated', message: 'Send Authorization: Bearer <api key>' });
    // A person, through the web app, carries a signed person token; a machine an API key.
    const person = looksLikePersonToken(match[1]);
    const principal = person ? this.persons?.verify(match[1]) : this.keys.authenticate(match[1]);
    if (!principal) throw new UnauthorizedException({ error: 'unauthenticated', message: person ? 'Invalid or expired person token' : 'Unknown API key' });

    const onBehalfOf: string | undefined = request.headers[ON_BEHALF_OF_HEADER];
    if (onBehalfOf !== undefined && !SAFE_USER_ID.test(onBehalfOf)) {
      throw new UnauthorizedException({ error: 'unauthenticated', message: `${ON_BEHALF_OF_HEADER} must be a user id of at most 200 letters, digits or @._:-` });
    }
    request.principal = onBehalfOf && !principal.responsibleUserId ? { ...principal, responsibleUserId: onBehalfOf } : principal;

    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE_KEY, targets);
    const allowed = rule ? rolesAllowed(rule) : undefined;
    if (!rule || !allowed) {
      throw new ForbiddenException({ error: 'forbidden', message: 'This endpoint has no rule in the access table', access: 'none' });
    }
    if (!allowed.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenException({
        error: 'forbidden',
        message: `${rule.resource}:${rule.action} requires one of the roles: ${allowed.join(', ')}`,
        access: `${rule.resource}:${rule.action}`,
      });
    }
    return true;
  }
}
