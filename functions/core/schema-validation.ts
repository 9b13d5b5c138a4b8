import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
// The plugin by its file, so the Lambda bundling can leave it out while keeping ajv-formats/dist/formats,
// which the precompiled validators use.
import addFormats from 'ajv-formats/dist/index';

/**
 * One Ajv for all of Tailor's own JSON Schemas, and validators compiled on first use: a Lambda that never
 * validates a rule file never pays for compiling its schema. Meta-schema validation is off at run time (it
 * was most of the cold-start cost); test/core/schema-validation.test.ts checks every schema against the
 * meta-schema, strictly, instead.
 */
let shared: Ajv2020 | undefined;

/** The options every Tailor schema is compiled with, here and in functions/core/precompiled-validators.ts. */
export const AJV_OPTIONS = {
  allErrors: true,
  strict: false,
  validateSchema: false,
  allowUnionTypes: true,
} as const;

export function schemaCompiler(): Ajv2020 {
  if (!shared) {
    shared = new Ajv2020(AJV_OPTIONS);
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

/** A validator compiled ahead of time (functions/core/precompiled/): called as Ajv's own. */
export interface PrecompiledValidator<T = unknown> {
  (data: unknown): data is T;
  errors?: ErrorObject[] | null;
}
