import { createRequire } from 'node:module';
import { Engine } from 'json-rules-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRulesDirectory } from '../../../functions/adapters/files/rules-directory';
import { prepareRuleSet } from '../../../functions/core/pipeline';
import { parseKnowledgeBase } from '../../../functions/core/ruleset/knowledge-base';
import { runCases } from '../../../functions/core/ruleset/run-cases';

// The Lambda bundles replace jsonpath-plus with a stub that throws (infra/lambda-stubs/no-jsonpath.ts). That is
// safe only while the engines never reach json-rules-engine's default path resolver: here every rule case of
// the bundled rule set runs with JSONPath replaced, in the very module object json-rules-engine calls.
const jsonpath = createRequire(createRequire(import.meta.url).resolve('json-rules-engine'))(
  'jsonpath-plus',
) as {
  JSONPath: (...args: unknown[]) => unknown;
};
const original = jsonpath.JSONPath;
let calls = 0;

beforeAll(() => {
  jsonpath.JSONPath = (...args: unknown[]) => {
    calls += 1;
    return original(...args);
  };
});
afterAll(() => {
  jsonpath.JSONPath = original;
});

describe('the rule engines without jsonpath-plus', () => {
  it('would notice a call: the default resolver goes through the replaced JSONPath', async () => {
    const before = calls;
    const engine = new Engine([], { allowUndefinedFacts: true });
    engine.addRule({
      conditions: { all: [{ fact: 'patient', path: '$.age', operator: 'equal', value: 1 }] },
      event: { type: 'x' },
    });
    await engine.run({ patient: { age: 1 } });
    expect(calls).toBeGreaterThan(before);
  });

  it('run every rule case of the bundled rules without calling JSONPath', async () => {
    const { kb, problems } = parseKnowledgeBase(await readRulesDirectory());
    expect(problems).toEqual([]);
    const before = calls;
    const results = await runCases(prepareRuleSet(kb));
    expect(results.length).toBeGreaterThan(400);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(calls).toBe(before);
  });
});
