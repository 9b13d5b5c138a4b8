import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { lazyValidator, schemaCompiler } from '../../functions/core/schema-validation';

// At run time schemas are compiled without meta-schema validation (cold start); here every schema the rule
// authors' editors use is checked against the JSON Schema meta-schema, in strict mode.

const SCHEMA_DIR = new URL('../../rules/schema/', import.meta.url);
const schemas = readdirSync(SCHEMA_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({
    file,
    schema: JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as Record<string, unknown>,
  }));

describe('JSON Schemas', () => {
  test.each(schemas.map((s) => [s.file, s.schema] as const))(
    '%s is a valid, strict draft 2020-12 schema',
    (_file, schema) => {
      const strict = new Ajv2020({
        strict: true,
        strictRequired: false,
        allowUnionTypes: true,
        validateSchema: true,
      });
      addFormats(strict);
      for (const other of schemas)
        if (other.schema !== schema && !other.schema.$id) strict.addSchema(other.schema, other.file);
      expect(strict.validateSchema(schema), JSON.stringify(strict.errors)).toBe(true);
      expect(() => strict.compile(schema)).not.toThrow();
    },
  );

  test('validators compile once, on first use, on one shared compiler', () => {
    const get = lazyValidator<{ a: number }>({
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'number' } },
    });
    const first = get();
    expect(get()).toBe(first);
    expect(first({ a: 1 })).toBe(true);
    expect(first({})).toBe(false);
    expect(schemaCompiler()).toBe(schemaCompiler());
  });
});
