import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRECOMPILED_DIR, precompiledValidators } from '../../infra/precompile-validators';

describe('precompiled validators', () => {
  const modules = precompiledValidators();

  it.each(modules)(
    '$file is up to date with its schema (else `npx tsx infra/precompile-validators.ts`)',
    ({ file, source }) => {
      expect(readFileSync(join(PRECOMPILED_DIR, file), 'utf8')).toBe(source);
    },
  );

  it('are the only modules in their directory', () => {
    expect(readdirSync(PRECOMPILED_DIR).sort()).toEqual(modules.map((m) => m.file).sort());
  });
});
