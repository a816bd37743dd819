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
import { ApiKeyRegistry } from './api-keys';
import { looksLikePersonToken, PersonTokenVerifier } from './person-token';
import { Principal, Role } from './principal';

const PUBLIC_KEY = 'draaiboek:public';
const ROLES_KEY = 'draaiboek:roles';

/** Opens an endpoint to anyone (health, docs). Everything else requires a principal. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/** Any one of the roles suffices. Without @Roles an authenticated principal is enough. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal;
});

/** The one guard every HTTP endpoint sits behind: deny by default. */
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
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers['authorization'];
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException({ error: 'unauthenticated', message: 'Send Authorization: Bearer <api key>' });
    // A person, through the web app, carries a signed person token; a machine an API key.
    const person = looksLikePersonToken(match[1]);
    const principal = person ? this.persons?.verify(match[1]) : this.keys.authenticate(match[1]);
    if (!principal) throw new UnauthorizedException({ error: 'unauthenticated', message: person ? 'Invalid or expired person token' : 'Unknown API key' });
    request.principal = principal;

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (required && !required.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenException({ error: 'forbidden', message: `Requires one of the roles: ${required.join(', ')}` });
    }
    return true;
  }
}
