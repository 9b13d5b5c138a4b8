/**
 * Stands in for jsonpath-plus in the Lambda bundles (infra/constructs/tailor-function.ts). json-rules-engine
 * imports it for its default fact-path resolver, but Tailor's engines resolve paths with their own
 * (functions/core/engine/compile.ts); test/core/engine/no-jsonpath.test.ts proves no rule case reaches it.
 */
export function JSONPath(): never {
  throw new Error('JSONPath is not bundled in the Lambda functions: rule engines resolve paths themselves');
}
