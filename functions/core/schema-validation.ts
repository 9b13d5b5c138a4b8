import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * One Ajv for all of Tailor's own JSON Schemas, and validators compiled on first use: a Lambda that never
 * validates a rule file never pays for compiling its schema. Meta-schema validation is off at run time (it
 * was most of the cold-start cost); test/core/schema-validation.test.ts checks every schema against the
 * meta-schema, strictly, instead.
 */
let shared: Ajv2020 | undefined;

export function schemaCompiler(): Ajv2020 {
  if (!shared) {
    shared = new Ajv2020({ allErrors: true, strict: false, validateSchema: false, allowUnionTypes: true });
    addFormats(shared);
  }
  return shared;
}

/** A validator for one schema, compiled the first time it is asked for. */
export function lazyValidator<T = unknown>(schema: object): () => ValidateFunction<T> {
  let compiled: ValidateFunction<T> | undefined;
  return () => {
    compiled ??= schemaCompiler().compile<T>(schema);
    return compiled;
  };
}
