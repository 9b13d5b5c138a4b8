import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

// Each deployed handler composes only its own concern, so its bundle carries nothing of the others'. Checked on
// the import graph (our own files; packages left out), not on sizes.

async function ownImports(handler: string): Promise<string[]> {
  const result = await build({
    entryPoints: [`functions/handlers/${handler}.ts`],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

const CDS_SERVICES = ['functions/http/cds-services.ts', 'functions/core/cds/invoke.ts'];
const FEEDBACK = ['functions/http/feedback.ts', 'functions/core/cds/feedback.ts'];
const APP_API = ['functions/http/app-api.ts', 'functions/adapters/auth/smart-id-token.ts'];
const CDS_CLIENT_JWT = ['functions/adapters/auth/cds-jwt.ts', 'functions/adapters/dynamodb/replay-cache.ts'];
const RULE_SETS = ['functions/adapters/dynamodb/rule-store.ts', 'functions/core/engine/evaluate.ts'];

describe('what each Lambda handler imports', () => {
  test.each([
    ['cds-services', [...CDS_SERVICES, ...CDS_CLIENT_JWT, ...RULE_SETS], [...FEEDBACK, ...APP_API]],
    ['cds-feedback', [...FEEDBACK, ...CDS_CLIENT_JWT], [...CDS_SERVICES, ...APP_API, ...RULE_SETS]],
    ['smart-app-api', [...APP_API, ...RULE_SETS], [...CDS_SERVICES, ...FEEDBACK, ...CDS_CLIENT_JWT]],
  ])('%s: its own concern and nothing of the others', async (handler, own, others) => {
    const imports = await ownImports(handler);
    for (const file of own) expect(imports, file).toContain(file);
    for (const file of others) expect(imports, file).not.toContain(file);
    // Nothing of the local server (embedded store, bundled rules, static files).
    expect(
      imports.filter((file) => file.startsWith('functions/server/') && !file.includes('/concerns/')),
    ).toEqual([]);
  });
  test.each(['cds-services', 'cds-feedback', 'smart-app-api'])(
    '%s: no validator for files checked before deployment (clients file, rule files)',
    async (handler) => {
      const imports = await ownImports(handler);
      // The clients file is checked at synthesis and read by checksum; a stored rule set by its content hash.
      expect(imports).not.toContain('functions/core/precompiled/cds-clients-validator.ts');
      expect(imports).not.toContain('functions/adapters/auth/cds-clients.ts');
      expect(imports).not.toContain('functions/core/ruleset/knowledge-base.ts');
      expect(imports).not.toContain('functions/core/ruleset/schemas.ts');
    },
  );
});
