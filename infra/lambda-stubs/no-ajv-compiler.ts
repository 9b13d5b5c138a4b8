/**
 * Stands in for the Ajv compiler ('ajv/dist/2020', 'ajv-formats/dist/index') in the Lambda bundles
 * (infra/constructs/tailor-function.ts). The handlers run only validators compiled ahead of time
 * (functions/core/precompiled/); the compiler is for the CLI and the local server, which check
 * rule files. Reaching it in a Lambda is a bug, so it says so.
 */
function absent(): never {
  throw new Error(
    'the Ajv compiler is not bundled in the Lambda functions: use a precompiled validator (infra/precompile-validators.ts)',
  );
}

export class Ajv2020 {
  constructor() {
    absent();
  }
}

export default absent;
