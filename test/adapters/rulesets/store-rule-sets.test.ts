import { describe, expect, test } from 'vitest';
import { readRulesDirectory } from '../../../functions/adapters/files/rules-directory';
import { MemoryRuleStore } from '../../../functions/adapters/memory/rule-store';
import { createStoreRuleSets } from '../../../functions/adapters/rulesets/store-rule-sets';
import { type RuleSetFile, RuleStoreError } from '../../../functions/core/ports';
import { installBundledRuleSet } from '../../../functions/server/local-server';

// The service's view of the store: the active version in memory, refreshed in the background, a bad version
// refused without taking the service down, and failure made visible once the store has been gone too long.

async function bundledFiles(version: string): Promise<RuleSetFile[]> {
  return (await readRulesDirectory())
    .filter((f) => !f.path.startsWith('schema/'))
    .map((f) => (f.path === 'ruleset.json' ? { ...f, text: f.text.replace('"1.1.0"', `"${version}"`) } : f));
}

async function storeWithNext(): Promise<MemoryRuleStore> {
  const store = new MemoryRuleStore();
  await installBundledRuleSet(store);
  await store.publish('1.1.1', await bundledFiles('1.1.1'), 'author', '2026-11-27T10:00:00Z');
  await store.approve('1.1.1', 'reviewer', '2026-11-27T10:05:00Z');
  return store;
}

describe('createStoreRuleSets', () => {
  test('serves the active version and picks up an activation after the refresh interval', async () => {
    const store = await storeWithNext();
    let now = 0;
    const ruleSets = createStoreRuleSets(store, { refreshMs: 1000, now: () => now });
    expect((await ruleSets.current()).kb.version).toBe('1.1.0');
    await store.activate('1.1.1', 'reviewer', '2026-11-27T10:10:00Z', 'test');
    now = 500;
    expect((await ruleSets.current()).kb.version).toBe('1.1.0');
    now = 1000;
    await ruleSets.current(); // starts the background refresh, answers with what it has
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await ruleSets.current()).kb.version).toBe('1.1.1');
  });

  test('a tampered active version is refused on load, and the previous one keeps serving', async () => {
    const store = await storeWithNext();
    let now = 0;
    const errors: string[] = [];
    const log = { info() {}, warn() {}, error: (message: string) => void errors.push(message) };
    const ruleSets = createStoreRuleSets(store, { refreshMs: 1000, now: () => now, log });
    expect((await ruleSets.current()).kb.version).toBe('1.1.0');
    await store.activate('1.1.1', 'reviewer', '2026-11-27T10:10:00Z', 'test');
    // Someone edits a stored file of 1.1.1 behind the store's back.
    const files = store.data.versions.get('1.1.1')!.files;
    const [path, text] = [...files].find(([p]) => p.endsWith('.rule.json'))!;
    files.set(path, text.replace('"Strong"', '"Optional"'));
    now = 2000;
    await ruleSets.current();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await ruleSets.current()).kb.version).toBe('1.1.0');
    expect(errors).toContain('active rule set refused on load');
    await expect(ruleSets.version('1.1.1')).rejects.toMatchObject({ code: 'tampered' });
  });

  test('once the store cannot confirm the active version for longer than maxStale, evaluation fails visibly', async () => {
    const store = await storeWithNext();
    let now = 0;
    const ruleSets = createStoreRuleSets(store, { refreshMs: 100, maxStaleMs: 1000, now: () => now });
    await ruleSets.current();
    store.active = async () => Promise.reject(new RuleStoreError('unavailable', 'store down'));
    now = 500;
    expect((await ruleSets.current()).kb.version).toBe('1.1.0'); // recent enough: keeps serving
    now = 1500;
    await expect(ruleSets.current()).rejects.toBeInstanceOf(RuleStoreError);
  });

  test('a named version is loaded once and kept', async () => {
    const store = await storeWithNext();
    let loads = 0;
    const load = store.load.bind(store);
    store.load = async (version) => {
      loads++;
      return load(version);
    };
    const ruleSets = createStoreRuleSets(store);
    const [a, b] = await Promise.all([ruleSets.version('1.1.1'), ruleSets.version('1.1.1')]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
  });
});
