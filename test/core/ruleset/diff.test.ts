import { beforeAll, describe, expect, it } from 'vitest';
import { type PreparedRuleSet, prepareRuleSet } from '../../../functions/core/pipeline';
import {
  type CorpusPatient,
  caseCorpus,
  type DiffSide,
  diffRuleSets,
  ruleChanges,
} from '../../../functions/core/ruleset/diff';
import type { KnowledgeBase, SourceFile } from '../../../functions/core/ruleset/knowledge-base';
import type { Rule } from '../../../functions/core/ruleset/rule';
import { bundledRuleSet } from '../../support/bundled-rules';

const RULE = 'cyp2d6-codeine-poor';
let base: PreparedRuleSet;

beforeAll(async () => {
  base = await bundledRuleSet();
});

/** The bundled knowledge base as another version, with one rule edited (or removed). */
function variant(version: string, edit?: (rule: Rule) => Rule | undefined): KnowledgeBase {
  const rules = base.kb.rules.flatMap((rule) => {
    if (rule.id !== RULE || !edit) return [rule];
    const edited = edit(structuredClone(rule));
    return edited ? [edited] : [];
  });
  return { ...base.kb, version, rules };
}

const side = (kb: KnowledgeBase, files: SourceFile[] = []): DiffSide => ({
  label: kb.version,
  ruleSet: kb === base.kb ? base : prepareRuleSet(kb),
  files,
});

const useAlternative = (rule: Rule): Rule => ({
  ...rule,
  version: '1.1.0',
  outcome: { ...rule.outcome, action: 'use-alternative' },
});

/** A FHIR bundle: CYP2D6 *4/*4 and a codeine order. */
const codeineBundle: CorpusPatient = {
  kind: 'example',
  key: 'example codeine.json',
  file: 'codeine.json',
  resources: [
    {
      resourceType: 'Observation',
      id: 'o1',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '84413-4' }] },
      subject: { reference: 'Patient/p1' },
      valueCodeableConcept: { text: 'CYP2D6 *4/*4' },
      component: [
        {
          code: { coding: [{ system: 'http://loinc.org', code: '48018-6' }] },
          valueCodeableConcept: {
            coding: [{ system: 'http://www.genenames.org/geneId', code: 'HGNC:2625', display: 'CYP2D6' }],
          },
        },
      ],
    },
    {
      resourceType: 'MedicationRequest',
      id: 'mr1',
      status: 'draft',
      medicationCodeableConcept: { text: 'codeine 30 mg tablet' },
    },
  ],
};

describe('diffRuleSets', () => {
  it('finds nothing between two versions with the same content (the version label alone changes nothing)', async () => {
    const relabelled = variant('1.0.1');
    const diff = await diffRuleSets(side(base.kb), side(relabelled), [
      ...caseCorpus(base.kb, relabelled),
      codeineBundle,
    ]);
    expect(diff.changes).toEqual([]);
    expect(diff.rules).toEqual({ added: [], removed: [], changed: [], changedWithoutNewVersion: [] });
    expect(diff.patients.evaluated).toBe(diff.patients.cases + 1);
    // The engine's "no recommendation" text names the rule-set version; that is no change of advice.
    const withoutRule = (version: string) => variant(version, () => undefined);
    const fallback = await diffRuleSets(side(withoutRule('1.0.0')), side(withoutRule('1.0.1')), [
      codeineBundle,
    ]);
    expect(fallback.changes).toEqual([]);
  });

  it('reports exactly the patients whose advice one changed rule changes, before and after', async () => {
    const changed = variant('1.0.1', useAlternative);
    const diff = await diffRuleSets(side(base.kb), side(changed), [
      ...caseCorpus(base.kb, changed),
      codeineBundle,
    ]);
    expect(diff.rules.changed).toEqual([{ id: RULE, from: '1.0.0', to: '1.1.0' }]);
    expect(diff.changes.map((c) => c.patient).sort()).toEqual([
      'example codeine.json',
      'pgx/cyp2d6-codeine-normal.cases.json › CYP2D6 *4/*4',
      'pgx/cyp2d6-codeine-poor.cases.json › CYP2D6 *4/*4',
    ]);
    const example = diff.changes.find((c) => c.kind === 'example');
    expect(example?.changes).toEqual([
      {
        change: 'changed',
        order: 'codeine 30 mg tablet',
        drug: 'codeine',
        ruleId: RULE,
        fields: ['ruleVersion', 'action'],
        before: {
          ruleId: RULE,
          ruleVersion: '1.0.0',
          action: 'avoid',
          classification: 'Strong',
          indicator: 'critical',
          summary: expect.stringContaining('Codeine: CYP2D6 Poor Metabolizer'),
        },
        after: expect.objectContaining({ ruleVersion: '1.1.0', action: 'use-alternative' }),
      },
    ]);
  });

  it('shows a rule that stops firing as its advice removed and the engine fallback added', async () => {
    const removed = variant('1.0.1', () => undefined);
    const diff = await diffRuleSets(side(base.kb), side(removed), [codeineBundle]);
    expect(diff.rules.removed).toEqual([{ id: RULE, version: '1.0.0' }]);
    expect(diff.changes[0]?.changes.map((c) => `${c.change} ${c.ruleId}`)).toEqual([
      `removed ${RULE}`,
      'added tailor-no-matching-rule',
    ]);
  });

  it('compares files by meaning, not formatting', async () => {
    const from: SourceFile[] = [
      { path: 'a.json', text: '{"x":1,"y":2}' },
      { path: 'b.json', text: '{"x":1}' },
      { path: 'gone.json', text: '{}' },
    ];
    const to: SourceFile[] = [
      { path: 'a.json', text: '{\n  "y": 2,\n  "x": 1\n}\n' },
      { path: 'b.json', text: '{"x":2}' },
      { path: 'new.json', text: '{}' },
    ];
    const diff = await diffRuleSets(side(base.kb, from), side(base.kb, to), []);
    expect(diff.files).toEqual({ added: ['new.json'], removed: ['gone.json'], changed: ['b.json'] });
  });
});

describe('ruleChanges', () => {
  it('flags a rule whose content changed while its version stayed', () => {
    const silent = variant('1.0.1', (rule) => ({ ...rule, outcome: { ...rule.outcome, action: 'monitor' } }));
    expect(ruleChanges(base.kb, silent).changedWithoutNewVersion).toEqual([
      { id: RULE, from: '1.0.0', to: '1.0.0' },
    ]);
    expect(ruleChanges(base.kb, variant('1.0.1', useAlternative)).changedWithoutNewVersion).toEqual([]);
  });
});

describe('caseCorpus', () => {
  it('keeps a case whose expectation alone changed as one patient, and an edited patient in both forms', () => {
    const file = `pgx/${RULE}.cases.json`;
    const edit = (change: (c: KnowledgeBase['cases'][number]['cases']['cases'][number]) => void) => {
      const cases = structuredClone(base.kb.cases);
      const entry = cases.find((c) => c.file === file)!;
      change(entry.cases.cases[0]!);
      return { ...base.kb, version: '1.0.1', cases };
    };
    const expectation = edit((c) => {
      c.expect.action = 'use-alternative';
    });
    const named = (corpus: CorpusPatient[]) =>
      corpus.filter((p) => p.key.startsWith(`${file} › CYP2D6 *4/*4`)).map((p) => p.key);
    expect(named(caseCorpus(base.kb, expectation))).toEqual([`${file} › CYP2D6 *4/*4`]);
    const patient = edit((c) => {
      c.orders = ['codeine', 'tramadol'];
    });
    expect(named(caseCorpus(base.kb, patient))).toEqual([
      `${file} › CYP2D6 *4/*4 [as in ${base.kb.version}]`,
      `${file} › CYP2D6 *4/*4 [as in 1.0.1]`,
    ]);
  });
});
