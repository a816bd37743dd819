import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

let schemas: Record<string, SchemaObject> | undefined;

/**
 * OpenAPI schemas drawn from the request DTOs' class-validator rules, so the documentation
 * states what validation enforces. `optional` names properties that a custom rule makes
 * conditional (the generator would list them as required).
 */
export function schemaOf(cls: { name: string }, optional: string[] = []): SchemaObject {
  schemas ??= validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    additionalConverters: {
      isBsnMatchingBsnKnown: {
        type: 'string',
        pattern: '^\\d{9}$',
        description: 'Required when bsnKnown is true, left out when false; must pass the 11-check (elfproef).',
      },
    },
  }) as Record<string, SchemaObject>;
  const schema = schemas[cls.name] ?? { type: 'object' };
  return { ...schema, required: schema.required?.filter((name) => !optional.includes(name)) };
}
