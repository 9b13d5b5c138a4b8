import { describe, expect, test } from 'vitest';
import { compileRuleSet } from '../../../functions/core/engine/compile';
import {
  defaultIndicator,
  evaluate,
  INDETERMINATE_RULE,
  NO_MATCH_RULE,
  NOT_TESTED_RULE,
} from '../../../functions/core/engine/evaluate';
import type { Findings, GeneResult, Order, VariantFinding } from '../../../functions/core/model';
import type { Condition, Rule } from '../../../functions/core/ruleset/rule';

// A small rule factory in the style of json-rules-engine's own tests: each test states only what matters.
function rule(overrides: Partial<Rule> & Pick<Rule, 'id' | 'conditions'>): Rule {
  return {
    version: '1.0.0',
    title: `Test rule ${overrides.id}`,
    status: 'active',
    authors: [{ name: 'Test author' }],
    evidence: [
      {
        source: 'CPIC',
        guideline: 'Test guideline',
        version: '2022',
        strength: 'Strong',
        url: 'https://example.org',
      },
    ],
    drugs: ['clopidogrel'],
    genes: ['CYP2C19'],
    outcome: {
      action: 'use-alternative',
      summary: '{drug}: {CYP2C19.phenotype}',
      detail: 'Detail for {drug}.',
    },
    ...overrides,
  };
}

const cyp2c19Is = (phenotypes: string[]): Condition => ({
  all: [
    { fact: 'gene', params: { gene: 'CYP2C19' }, path: '$.phenotype', operator: 'in', value: phenotypes },
  ],
});

const poorRule = rule({ id: 'poor', conditions: cyp2c19Is(['Poor Metabolizer']) });
const normalRule = rule({
  id: 'normal',
  conditions: cyp2c19Is(['Normal Metabolizer']),
  evidence: [
    {
      source: 'CPIC',
      guideline: 'Test guideline',
      version: '2022',
      strength: 'Strong',
      url: 'https://example.org',
    },
  ],
  outcome: { action: 'standard', summary: '{drug}: standard dose', detail: 'Standard.' },
});
const hlaRule = rule({
  id: 'abacavir-hla',
  drugs: ['abacavir'],
  genes: ['HLA-B'],
  conditions: {
    all: [
      { fact: 'allele', params: { gene: 'HLA-B', allele: '*57:01' }, operator: 'equal', value: 'positive' },
    ],
  },
  outcome: { action: 'avoid', summary: '{drug}: HLA-B*57:01 positive', detail: 'Avoid.' },
});
const antithrombinRule = rule({
  id: 'heparin-at',
  drugs: ['heparin', 'enoxaparin'],
  genes: ['SERPINC1'],
  diagnoses: ['hereditary-antithrombin-deficiency'],
  conditions: {
    any: [
      {
        fact: 'variants',
        params: { gene: 'SERPINC1' },
        path: '$.pathogenic',
        operator: 'greaterThanInclusive',
        value: 1,
      },
      {
        fact: 'diagnosis',
        params: { key: 'hereditary-antithrombin-deficiency' },
        operator: 'equal',
        value: 'present',
      },
    ],
  },
  outcome: {
    action: 'use-alternative',
    summary: '{drug}: antithrombin deficiency',
    detail: 'Heparin resistance.',
  },
});

const comboRule = rule({
  id: 'combo',
  drugs: ['aspirin', 'warfarin'],
  genes: ['ENG'],
  reportNotTested: false,
  conditions: {
    all: [
      {
        fact: 'variants',
        params: { gene: 'ENG' },
        path: '$.pathogenic',
        operator: 'greaterThanInclusive',
        value: 1,
      },
      { fact: 'drugClasses', operator: 'contains', value: 'class:antiplatelet' },
      { fact: 'otherMedications', operator: 'intersects', value: ['class:anticoagulant'] },
    ],
  },
  outcome: { action: 'avoid', summary: '{drug}: combined antithrombotics', detail: 'Bleeding.' },
});

const CLASSES: Record<string, string[]> = { aspirin: ['antiplatelet'], warfarin: ['anticoagulant'] };
const ruleSet = compileRuleSet({
  version: '9.9.9',
  rules: [
    poorRule,
    normalRule,
    hlaRule,
    antithrombinRule,
    comboRule,
    rule({ id: 'drafted', status: 'draft', conditions: cyp2c19Is(['Poor Metabolizer']) }),
  ],
  sharedConditions: {},
  expandDrug: (entry) => [entry],
  drugName: (key) => key[0]!.toUpperCase() + key.slice(1),
  classesOf: (key) => CLASSES[key] ?? [],
});

function gene(overrides: Partial<GeneResult> & Pick<GeneResult, 'gene'>): GeneResult {
  return {
    origin: 'germline',
    status: 'called',
    lookupKey: overrides.phenotype ?? 'x',
    notes: [],
    sources: [],
    ...overrides,
  };
}
function findings(partial: Partial<Findings>): Findings {
  return { genes: [], variants: [], conditions: [], issues: [], ...partial };
}
function order(...ingredients: string[]): Order {
  return {
    id: `order-${ingredients.join('-')}`,
    display: ingredients.join(' + '),
    ingredients,
    matchedBy: {},
    unmatchedCodes: [],
  };
}
function variant(overrides: Partial<VariantFinding>): VariantFinding {
  return {
    gene: 'SERPINC1',
    ids: ['c.1A>G'],
    hgvs: {},
    presence: 'present',
    zygosity: 'heterozygous',
    significance: 'pathogenic',
    origin: 'germline',
    sources: [],
    ...overrides,
  };
}

const poorPatient = findings({
  genes: [gene({ gene: 'CYP2C19', phenotype: 'Poor Metabolizer', diplotype: '*2/*2' })],
});

describe('evaluate', () => {
  test('a poor metabolizer ordered clopidogrel gets the rule with provenance and filled text', async () => {
    const [rec, ...rest] = await evaluate(ruleSet, poorPatient, [order('clopidogrel')]);
    expect(rest).toEqual([]);
    expect(rec).toMatchObject({
      ruleId: 'poor',
      ruleVersion: '1.0.0',
      ruleSetVersion: '9.9.9',
      drug: 'clopidogrel',
      action: 'use-alternative',
      classification: 'Strong',
      indicator: 'critical',
      summary: 'Clopidogrel: Poor Metabolizer',
      genes: [{ gene: 'CYP2C19', lookupKey: 'Poor Metabolizer', status: 'called' }],
    });
    expect(rec?.evidence[0]?.url).toBe('https://example.org');
  });

  test('draft rules are not evaluated by default', async () => {
    const recs = await evaluate(ruleSet, poorPatient, [order('clopidogrel')]);
    expect(recs.map((r) => r.ruleId)).not.toContain('drafted');
  });

  test('an order meets only its own rules', async () => {
    const recs = await evaluate(ruleSet, poorPatient, [order('abacavir')]);
    expect(recs.map((r) => r.ruleId)).toEqual([NOT_TESTED_RULE]);
    expect(recs[0]?.genes).toEqual([{ gene: 'HLA-B', lookupKey: 'No Result', status: 'not-tested' }]);
  });

  test('a drug no rule names gives no recommendation at all', async () => {
    expect(await evaluate(ruleSet, poorPatient, [order('paracetamol')])).toEqual([]);
  });

  test('no result is "not tested", never standard', async () => {
    const [rec] = await evaluate(ruleSet, findings({}), [order('clopidogrel')]);
    expect(rec).toMatchObject({ ruleId: NOT_TESTED_RULE, action: 'not-tested', indicator: 'info' });
    expect(rec?.summary).toContain('not tested');
    expect(rec?.summary.length).toBeLessThan(140);
  });

  test('an indeterminate or conflicting result is shown as such', async () => {
    for (const status of ['indeterminate', 'conflict'] as const) {
      const patient = findings({
        genes: [
          gene({ gene: 'CYP2C19', status, lookupKey: 'Indeterminate', notes: ['two results disagree'] }),
        ],
      });
      const [rec] = await evaluate(ruleSet, patient, [order('clopidogrel')]);
      expect(rec).toMatchObject({ ruleId: INDETERMINATE_RULE, action: 'indeterminate' });
      expect(rec?.detail).toContain('two results disagree');
      expect(rec?.detail).toContain('not a normal result');
    }
  });

  test('a called result no rule covers gives an explicit no-recommendation', async () => {
    const patient = findings({ genes: [gene({ gene: 'CYP2C19', phenotype: 'Rapid Metabolizer' })] });
    const [rec] = await evaluate(ruleSet, patient, [order('clopidogrel')]);
    expect(rec).toMatchObject({ ruleId: NO_MATCH_RULE, action: 'no-recommendation' });
  });

  test('somatic results are invisible to germline rules', async () => {
    const patient = findings({
      genes: [gene({ gene: 'CYP2C19', phenotype: 'Poor Metabolizer', origin: 'somatic' })],
      variants: [variant({ origin: 'somatic' })],
    });
    const recs = await evaluate(ruleSet, patient, [order('clopidogrel'), order('heparin')]);
    expect(recs.map((r) => r.action)).toEqual(['not-tested', 'not-tested']);
  });

  test('benign and uncertain variants never fire; pathogenic germline or a diagnosis does', async () => {
    const benign = findings({
      variants: [variant({ significance: 'benign' }), variant({ significance: 'uncertain' })],
    });
    const [benignRec] = await evaluate(ruleSet, benign, [order('heparin')]);
    expect(benignRec).toMatchObject({ action: 'no-recommendation' });
    expect(benignRec?.genes[0]?.lookupKey).toBe('Variant of uncertain significance');

    const pathogenic = findings({ variants: [variant({})] });
    expect((await evaluate(ruleSet, pathogenic, [order('heparin')]))[0]?.ruleId).toBe('heparin-at');

    const diagnosed = findings({
      conditions: [
        {
          key: 'hereditary-antithrombin-deficiency',
          codes: [],
          verification: 'confirmed',
          clinical: 'active',
          origin: 'germline',
          sources: [],
        },
      ],
    });
    const [rec] = await evaluate(ruleSet, diagnosed, [order('heparin')]);
    expect(rec).toMatchObject({
      ruleId: 'heparin-at',
      diagnoses: [{ key: 'hereditary-antithrombin-deficiency', state: 'present' }],
    });
  });

  test('a refuted diagnosis does not fire', async () => {
    const refuted = findings({
      conditions: [
        {
          key: 'hereditary-antithrombin-deficiency',
          codes: [],
          verification: 'refuted',
          clinical: 'inactive',
          origin: 'germline',
          sources: [],
        },
      ],
    });
    const [rec] = await evaluate(ruleSet, refuted, [order('heparin')]);
    expect(rec?.ruleId).toBe(NOT_TESTED_RULE);
  });

  test('several orders: each gets its own recommendations, most severe first within an order', async () => {
    const patient = findings({
      genes: [
        gene({ gene: 'CYP2C19', phenotype: 'Normal Metabolizer' }),
        gene({ gene: 'HLA-B', lookupKey: '*57:01 positive', alleleStatuses: { '*57:01': 'positive' } }),
      ],
    });
    const recs = await evaluate(ruleSet, patient, [order('clopidogrel'), order('abacavir')]);
    expect(recs.map((r) => [r.orderId, r.ruleId, r.indicator])).toEqual([
      ['order-clopidogrel', 'normal', 'info'],
      ['order-abacavir', 'abacavir-hla', 'critical'],
    ]);
  });

  test('an HLA result without the risk allele typed is indeterminate, not negative', async () => {
    const patient = findings({ genes: [gene({ gene: 'HLA-B', lookupKey: 'x', alleleStatuses: {} })] });
    const [rec] = await evaluate(ruleSet, patient, [order('abacavir')]);
    expect(rec).toMatchObject({ action: 'indeterminate', ruleId: INDETERMINATE_RULE });
    expect(rec?.summary).toContain('HLA-B*57:01');
  });

  test('one rule fires once per order even when two ingredients reach it', async () => {
    const patient = findings({ variants: [variant({})] });
    const recs = await evaluate(ruleSet, patient, [order('heparin', 'enoxaparin')]);
    expect(recs.map((r) => r.ruleId)).toEqual(['heparin-at']);
  });

  test('drug classes and the other medications let a rule see combinations', async () => {
    const eng = findings({ variants: [variant({ gene: 'ENG' })] });
    const [alone] = await evaluate(ruleSet, eng, [order('aspirin')]);
    expect(alone?.action).toBe('no-recommendation');
    const [withOrder] = await evaluate(ruleSet, eng, [order('aspirin'), order('warfarin')]);
    expect(withOrder?.ruleId).toBe('combo');
    const [withActive] = await evaluate(ruleSet, eng, [order('aspirin')], {
      activeMedications: ['warfarin'],
    });
    expect(withActive?.ruleId).toBe('combo');
    // The order itself is not "another" medication: warfarin alone never sees an anticoagulant elsewhere.
    const recs = await evaluate(ruleSet, eng, [order('warfarin')]);
    expect(recs.map((r) => r.ruleId)).not.toContain('combo');
  });

  test('a topic that opts out of not-tested says nothing when nothing is known, but reports what is known', async () => {
    expect(await evaluate(ruleSet, findings({}), [order('aspirin')])).toEqual([]);
    const vus = findings({ variants: [variant({ gene: 'ENG', significance: 'uncertain' })] });
    const [rec] = await evaluate(ruleSet, vus, [order('aspirin')]);
    expect(rec).toMatchObject({
      action: 'no-recommendation',
      genes: [{ gene: 'ENG', lookupKey: 'Variant of uncertain significance' }],
    });
  });

  test('results are deterministic', async () => {
    const orders = [order('clopidogrel'), order('abacavir'), order('heparin')];
    const first = JSON.stringify(await evaluate(ruleSet, poorPatient, orders));
    for (let i = 0; i < 5; i++)
      expect(JSON.stringify(await evaluate(ruleSet, poorPatient, orders))).toBe(first);
  });

  test('default indicators follow action and strength', () => {
    expect(defaultIndicator('avoid', 'Strong')).toBe('critical');
    expect(defaultIndicator('avoid', 'Moderate')).toBe('warning');
    expect(defaultIndicator('adjust-dose', 'Strong')).toBe('warning');
    expect(defaultIndicator('standard', 'Strong')).toBe('info');
  });
});
