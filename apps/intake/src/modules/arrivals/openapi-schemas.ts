import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { IS_CALENDAR_DATE } from '@draaiboek/contracts';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

let schemas: Record<string, SchemaObject> | undefined;

/**
 * OpenAPI schemas drawn from the contracts' class-validator rules, so the documentation
 * states exactly what validation enforces (the contracts library carries no Swagger decorators).
 */
export function schemaOf(cls: { name: string }): SchemaObject {
  schemas ??= validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    additionalConverters: { [IS_CALENDAR_DATE]: { type: 'string', format: 'date' } },
  }) as Record<string, SchemaObject>;
  return inline(schemas[cls.name] ?? { type: 'object' }, schemas);
}

function inline(schema: SchemaObject, all: Record<string, SchemaObject>): SchemaObject {
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) return inline(all[ref.split('/').pop() as string] ?? { type: 'object' }, all);
  const out: SchemaObject = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, inline(v as SchemaObject, all)]));
  }
  if (schema.items) out.items = inline(schema.items as SchemaObject, all);
  if (schema.allOf) out.allOf = schema.allOf.map((s) => inline(s as SchemaObject, all));
  return out;
}
