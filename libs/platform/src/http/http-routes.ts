import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { ACCESS_RULE_KEY, AccessRule } from '../auth/access-table';
import { PUBLIC_ROUTE_KEY } from '../auth/auth.guard';
import { namedQueryParameters } from './known-query-parameters.guard';

export interface HttpRoute {
  method: string;
  /** Express-style path, e.g. `/v1/groups/:groupId`. */
  path: string;
  controller: string;
  handler: string;
  public: boolean;
  /** The endpoint's rule in the access table; undefined when it names none. */
  rule?: AccessRule;
  /** Query parameters it reads, the fields of its query DTO, and the fields of its body DTO (for fuzzing). */
  queryParameters: string[];
  bodyFields: string[];
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function dtoFields(type: Function | undefined): string[] {
  if (!type || type === Object || type === String) return [];
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).map((m) => m.propertyName))];
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function argTypes(controller: object, name: string): { query?: Function; body?: Function } {
  const args: Record<string, { index: number; data?: unknown }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {};
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  const types: Function[] = Reflect.getMetadata('design:paramtypes', (controller as { prototype: object }).prototype, name) ?? [];
  const find = (kind: RouteParamtypes) => Object.entries(args).find(([key, arg]) => key.split(':')[0] === String(kind) && arg.data === undefined)?.[1];
  const query = find(RouteParamtypes.QUERY);
  const body = find(RouteParamtypes.BODY);
  return { query: query ? types[query.index] : undefined, body: body ? types[body.index] : undefined };
}

function queryNames(controller: object, name: string): string[] {
  const named = namedQueryParameters(controller, name);
  return named === 'dto' ? dtoFields(argTypes(controller, name).query) : named;
}

function paths(value: unknown): string[] {
  if (value === undefined) return [''];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function join(...parts: string[]): string {
  const joined = parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
  return `/${joined}`;
}

/**
 * Every HTTP endpoint of a Nest app, read from the same controller metadata Nest's router
 * uses: a new endpoint appears here without anyone listing it.
 */
export function listHttpRoutes(app: INestApplication): HttpRoute[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const routes: HttpRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!controller?.prototype) continue;
      const base = paths(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = controller.prototype[name as keyof typeof controller.prototype] as unknown as object;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const own = Reflect.getMetadata(PATH_METADATA, handler);
        if (method === undefined || own === undefined) continue; // an event handler, not a route
        const targets = [handler as () => void, controller];
        for (const prefix of base) {
          for (const path of paths(own)) {
            routes.push({
              method: RequestMethod[method],
              path: join(prefix, path),
              controller: controller.name,
              handler: name,
              public: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE_KEY, targets) === true,
              rule: reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE_KEY, targets),
              queryParameters: queryNames(controller, name),
              bodyFields: dtoFields(argTypes(controller, name).body),
            });
          }
        }
      }
    }
  }
  return routes;
}
