/**
 * Benchmark: Tailor's indexed evaluation against plain json-rules-engine holding every rule (loaded once)
 * and run per order. Both use the same facts, operators and rules; the baseline adds a "drug" condition to
 * each rule so it fires only for its own drugs. Two rule sets: the bundled knowledge base, and 1,000
 * generated rules. Absolute times are noisy on shared machines; the ratio in the same run is the figure.
 */
import type { Engine } from 'json-rules-engine';
import { loadKnowledgeBase } from '../functions/adapters/files/rules-directory';
import {
  buildEngine,
  type CompiledRuleSet,
  compileRuleSet,
  type RunFacts,
} from '../functions/core/engine/compile';
import { evaluate } from '../functions/core/engine/evaluate';
import { PatientFacts } from '../functions/core/engine/facts';
import type { DrugClass } from '../functions/core/medications/vocabulary';
import type { Findings, GeneResult, Order, VariantFinding } from '../functions/core/model';
import { prepareRuleSet } from '../functions/core/pipeline';
import type { Condition, Rule } from '../functions/core/ruleset/rule';
import { type Measurement, measurePair } from './measure';

/** Plain json-rules-engine: one engine with every rule, each guarded by the drugs it concerns. */
function baseline(
  rules: readonly Rule[],
  expand: (entry: string) => readonly string[],
  compiled: CompiledRuleSet,
  shared: Readonly<Record<string, Condition>> = {},
) {
  const guarded = rules
    .filter((rule) => compiled.rules.has(rule.id))
    .map((rule) => ({
      ...rule,
      conditions: {
        all: [
          { fact: 'drug' as const, operator: 'in' as const, value: rule.drugs.flatMap(expand) },
          rule.conditions,
        ],
      },
    }));
  const engine: Engine = buildEngine(guarded, shared);
  return async (findings: Findings, orders: readonly Order[]) => {
    const patient = new PatientFacts(findings);
    const medications = orders.flatMap((o) => o.ingredients);
    let fired = 0;
    for (const order of orders) {
      for (const drug of order.ingredients) {
        const others = orders.filter((o) => o !== order).flatMap((o) => o.ingredients);
        const facts: RunFacts = {
          patient,
          context: { indication: 'unknown' },
          medications,
          otherMedications: others,
          drug,
          drugClasses: [],
        };
        fired += (await engine.run(facts)).events.length;
      }
    }
    return fired;
  };
}

const GENES = [
  ['CYP2C19', 'Poor Metabolizer', '*2/*2'],
  ['CYP2C9', 'Intermediate Metabolizer', '*1/*3'],
  ['VKORC1', '-1639 AG', 'C/T'],
  ['CYP2D6', 'Normal Metabolizer', '*1/*2'],
  ['SLCO1B1', 'Decreased Function', '*1/*5'],
  ['TPMT', 'Normal Metabolizer', '*1/*1'],
  ['NUDT15', 'Normal Metabolizer', '*1/*1'],
  ['DPYD', 'Normal Metabolizer', 'Reference/Reference'],
  ['CYP3A5', 'Poor Metabolizer', '*3/*3'],
  ['UGT1A1', 'Intermediate Metabolizer', '*1/*28'],
  ['G6PD', 'Normal', 'B/B'],
  ['HLA-B', '*57:01 negative', ''],
  ['HLA-A', '*31:01 negative', ''],
  ['RYR1', 'Uncertain Susceptibility', ''],
  ['MT-RNR1', 'normal risk of aminoglycoside-induced hearing loss', 'Reference'],
] as const;

/** An order-sign-sized patient: 15 gene results and 3 variants. */
function benchPatient(): Findings {
  const genes: GeneResult[] = GENES.map(([gene, phenotype, diplotype]) => ({
    gene,
    origin: 'germline',
    status: 'called',
    phenotype,
    lookupKey: phenotype,
    ...(diplotype ? { diplotype } : {}),
    ...(gene.startsWith('HLA')
      ? {
          alleleStatuses: {
            '*57:01': 'negative',
            '*58:01': 'negative',
            '*15:02': 'negative',
            '*31:01': 'negative',
          },
        }
      : {}),
    notes: [],
    sources: [],
  }));
  const variant = (
    gene: string,
    id: string,
    significance: VariantFinding['significance'],
  ): VariantFinding => ({
    gene,
    ids: [id],
    hgvs: {},
    presence: 'present',
    zygosity: 'heterozygous',
    significance,
    origin: 'germline',
    sources: [],
  });
  return {
    genes,
    variants: [
      variant('F5', 'rs6025', 'pathogenic'),
      variant('SERPINC1', 'c.1A>G', 'uncertain'),
      variant('PROC', 'c.2T>C', 'benign'),
    ],
    conditions: [],
    issues: [],
  };
}

const order = (ingredient: string): Order => ({
  id: `o-${ingredient}`,
  display: ingredient,
  ingredients: [ingredient],
  matchedBy: { [ingredient]: 'name' },
  unmatchedCodes: [],
});

/** 1,000 rules over 200 drugs and the 15 genes: five phenotype rows per drug, CPIC-shaped. */
function generatedRules(): Rule[] {
  const rules: Rule[] = [];
  const rows = [
    'Poor Metabolizer',
    'Intermediate Metabolizer',
    'Normal Metabolizer',
    'Rapid Metabolizer',
    'Ultrarapid Metabolizer',
  ];
  for (let d = 0; d < 200; d++) {
    const gene = GENES[d % GENES.length]![0];
    rows.forEach((phenotype, r) => {
      rules.push({
        id: `gen-${d}-${r}`,
        version: '1.0.0',
        title: `Generated rule ${d}-${r}`,
        status: 'active',
        authors: [{ name: 'bench' }],
        evidence: [
          {
            source: 'Other',
            guideline: 'Generated',
            version: '1',
            strength: 'Strong',
            url: 'https://example.org',
          },
        ],
        drugs: [`drug-${d}`],
        genes: [gene],
        conditions: {
          all: [
            { fact: 'gene', params: { gene }, path: '$.status', operator: 'equal', value: 'called' },
            { fact: 'gene', params: { gene }, path: '$.phenotype', operator: 'in', value: [phenotype] },
          ],
        },
        outcome: { action: 'adjust-dose', summary: `{drug}: {${gene}.phenotype}`, detail: 'Generated.' },
      });
    });
  }
  return rules;
}

export async function benchRulesEngine(): Promise<Measurement[]> {
  const { kb, problems } = await loadKnowledgeBase();
  if (problems.length > 0) throw new Error(`the bundled rule set is not valid (${problems.length} problems)`);
  const prepared = prepareRuleSet(kb);
  const findings = benchPatient();
  const expand = (entry: string) =>
    entry.startsWith('class:') ? prepared.drugs.ingredientsOfClass(entry.slice(6) as DrugClass) : [entry];

  const kbOrders = ['clopidogrel', 'warfarin', 'simvastatin', 'codeine', 'heparin'].map(order);
  const kbBaseline = baseline(kb.rules, expand, prepared.compiled, kb.sharedConditions);
  const full = await measurePair(
    `knowledge base (${prepared.compiled.rules.size} rules), 5 orders`,
    () => evaluate(prepared.compiled, findings, kbOrders),
    () => kbBaseline(findings, kbOrders),
  );

  const rules = generatedRules();
  const generated = compileRuleSet({
    version: 'bench',
    rules,
    sharedConditions: {},
    expandDrug: (entry) => [entry],
    drugName: (key) => key,
  });
  const genOrders = [0, 37, 74, 111, 148].map((d) => order(`drug-${d}`));
  const genBaseline = baseline(rules, (entry) => [entry], generated);
  const thousand = await measurePair(
    '1,000 generated rules, 5 orders',
    () => evaluate(generated, findings, genOrders),
    () => genBaseline(findings, genOrders),
  );
  return [full, thousand];
}
