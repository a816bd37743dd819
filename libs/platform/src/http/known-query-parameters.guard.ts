import { BadRequestException, CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';

/**
 * Unknown fields are refused everywhere: request bodies and query DTOs by the validation pipe
 * (`forbidNonWhitelisted`), and query parameters read one by one (`@Query('status')`) here, so
 * `?stauts=open` is a 400 naming the parameter instead of a silently ignored filter.
 */
@Injectable()
export class KnownQueryParametersGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const args: Record<string, { data?: unknown }> =
      Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {};
    const queryArgs = Object.entries(args).filter(([key]) => key.split(':')[0] === String(RouteParamtypes.QUERY));
    // A whole-query DTO is checked field by field by the validation pipe.
    if (queryArgs.some(([, arg]) => arg.data === undefined)) return true;
    const known = new Set(queryArgs.map(([, arg]) => String(arg.data)));
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
