import { BadRequestException, CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';

/** The query parameters a handler reads one by one, or 'dto' when it takes the whole query as a DTO. */
export function namedQueryParameters(controller: object, handlerName: string): string[] | 'dto' {
  const args: Record<string, { data?: unknown }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) ?? {};
  const queryArgs = Object.entries(args).filter(([key]) => key.split(':')[0] === String(RouteParamtypes.QUERY));
  if (queryArgs.some(([, arg]) => arg.data === undefined)) return 'dto';
  return queryArgs.map(([, arg]) => String(arg.data));
}

const ALSO_KNOWN_KEY = 'draaiboek:also-known-query-parameters';

/**
 * Query parameters that a controller's handlers read from the request itself rather than with
 * `@Query(name)`, e.g. the web pages' `done` notice after a form post. Class or handler level.
 */
export const AlsoKnownQueryParameters = (...names: string[]) => SetMetadata(ALSO_KNOWN_KEY, names);

/**
 * Unknown fields are refused everywhere: request bodies and query DTOs by the validation pipe
 * (`forbidNonWhitelisted`), and query parameters read one by one (`@Query('status')`) here, so
 * `?stauts=open` is a 400 naming the parameter instead of a silently ignored filter.
 */
@Injectable()
export class KnownQueryParametersGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const named = namedQueryParameters(context.getClass(), context.getHandler().name);
    // A whole-query DTO is checked field by field by the validation pipe.
    if (named === 'dto') return true;
    const also = this.reflector.getAllAndMerge<string[]>(ALSO_KNOWN_KEY, [context.getHandler(), context.getClass()]) ?? [];
    const known = new Set([...named, ...also]);
    const query = (context.switchToHttp().getRequest().query ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(query).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new BadRequestException({
        error: 'validation_failed',
        fields: unknown.map((field) => ({ field, messages: [known.size ? `unknown query parameter; known: ${[...known].join(', ')}` : 'this endpoint takes no query parameters'] })),
      });
    }
    return true;
  }
}
