import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { evaluate } from '../../functions/core/engine/evaluate';
import type { Order, Recommendation } from '../../functions/core/model';
import { interpretFindings, type PreparedRuleSet } from '../../functions/core/pipeline';
import type { CasePatient, CaseVariant } from '../../functions/core/ruleset/cases-model';
import { casePatientFindings } from '../../functions/core/ruleset/run-cases';
import { bundledRuleSet } from '../support/bundled-rules';

// Properties of the whole pipeline over the bundled rule set: generated patients, real rules.

let ruleSet: PreparedRuleSet;
let ingredients: string[];
let diploidTables: { gene: string; alleles: string[] }[];
let diagnosisKeys: string[];

beforeAll(async () => {
  ruleSet = await bundledRuleSet();
  // Every ingredient some rule concerns (classes expanded).
  ingredients = ruleSet.drugs
    .keys()
    .filter((key) => ruleSet.compiled.engineFor(key) !== undefined)
    .sort();
  diploidTables = ruleSet.kb.genes
    .filter((t) => t.model !== 'risk-allele' && t.ploidy === 'diploid')
    .map((t) => ({ gene: t.gene, alleles: t.alleles.map((a) => a.name) }));
  diagnosisKeys = ruleSet.kb.diagnoses.map((d) => d.key);
  // The genes whose variants the syndrome rules read, as the diagnoses vocabulary names them.
  SYNDROME_GENES = [...new Set(ruleSet.kb.diagnoses.flatMap((d) => d.genes ?? []))].sort();
});

let SYNDROME_GENES: string[];
const VARIANT_IDS = [
  'rs6025',
  'rs1799963',
  'c.1601G>A',
  'c.1A>G',
  'c.2T>C',
  'c.5C>T',
  'c.1905+1G>A',
  'c.1840C>T',
];
const HLA = ['*57:01', '*58:01', '*15:02', '*31:01', '*08:01', '*44:02', '*07:02'];

function arbitraryPatient(): fc.Arbitrary<CasePatient> {
  const gene = fc
    .constantFrom(...diploidTables)
    .chain((t) =>
      fc.tuple(fc.constant(t.gene), fc.constantFrom(...t.alleles), fc.constantFrom(...t.alleles)),
    );
  const variant: fc.Arbitrary<CaseVariant> = fc.record({
    gene: fc.constantFrom(...SYNDROME_GENES),
    id: fc.constantFrom(...VARIANT_IDS),
    zygosity: fc.constantFrom('heterozygous', 'homozygous', 'hemizygous', 'unknown'),
    significance: fc.constantFrom(
      'pathogenic',
      'likely-pathogenic',
      'uncertain',
      'likely-benign',
      'benign',
      'unknown',
    ),
    origin: fc.constantFrom('germline', 'somatic', 'unknown'),
  });
  return fc
    .record({
      genes: fc.array(gene, { maxLength: 6 }),
      hla: fc.option(fc.tuple(fc.constantFrom(...HLA), fc.constantFrom(...HLA))),
      variants: fc.array(variant, { maxLength: 4 }),
      diagnoses: fc.subarray(
        diagnosisKeys.flatMap((k) => [k, `!${k}`]),
        { maxLength: 3 },
      ),
    })
    .map(({ genes, hla, variants, diagnoses }) => {
      const patient: CasePatient = { genes: {}, variants, diagnoses };
      for (const [g, a, b] of genes) patient.genes![g] = `${a}/${b}`;
      if (hla) patient.genes!['HLA-B'] = `${hla[0]}/${hla[1]}`;
      return patient;
    });
}

function orders(keys: string[]): Order[] {
  return keys.map((k, i) => ({
    id: `o${i}`,
    display: k,
    ingredients: [k],
    matchedBy: { [k]: 'name' },
    unmatchedCodes: [],
  }));
}

async function run(patient: CasePatient, drugKeys: string[]): Promise<Recommendation[]> {
  return evaluate(
    ruleSet.compiled,
    interpretFindings(casePatientFindings(patient), ruleSet),
    orders(drugKeys),
  );
}

/** Every way of removing exactly one finding from a patient. */
function withoutOneFinding(patient: CasePatient): CasePatient[] {
  const out: CasePatient[] = [];
  for (const gene of Object.keys(patient.genes ?? {})) {
    const genes = { ...patient.genes };
    delete genes[gene];
    out.push({ ...patient, genes });
  }
  const variants = patient.variants ?? [];
  for (const removed of variants) out.push({ ...patient, variants: variants.filter((v) => v !== removed) });
  const diagnoses = patient.diagnoses ?? [];
  for (const removed of diagnoses)
    out.push({ ...patient, diagnoses: diagnoses.filter((d) => d !== removed) });
  return out;
}

const standardKeys = (recs: Recommendation[]) =>
  new Set(recs.filter((r) => r.action === 'standard').map((r) => `${r.orderId}|${r.drug}|${r.ruleId}`));

describe('pipeline properties over the bundled rules', () => {
  test('removing a finding never adds a standard-dose outcome', async () => {
    let withStandard = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryPatient(), fc.integer({ min: 0, max: 1_000_000 }), async (patient, seed) => {
        const drugs = [0, 1, 2, 3, 4].map((i) => ingredients[(seed + i * 7919) % ingredients.length]!);
        const before = standardKeys(await run(patient, drugs));
        if (before.size > 0) withStandard++;
        for (const smaller of withoutOneFinding(patient)) {
          for (const key of standardKeys(await run(smaller, drugs))) expect(before).toContain(key);
        }
      }),
      { numRuns: 150 },
    );
    // The property is not vacuous: many generated patients do get standard-dose outcomes.
    expect(withStandard).toBeGreaterThan(15);
  });

  test('a somatic, benign or uncertain variant never fires a germline rule', async () => {
    let withOutcome = 0;
    const harmless: fc.Arbitrary<CaseVariant> = fc.oneof(
      fc.record({
        gene: fc.constantFrom(...SYNDROME_GENES),
        id: fc.constantFrom(...VARIANT_IDS),
        zygosity: fc.constantFrom('heterozygous', 'homozygous', 'hemizygous', 'unknown'),
        significance: fc.constantFrom('uncertain', 'likely-benign', 'benign'),
        origin: fc.constantFrom('germline', 'unknown'),
      }),
      fc.record({
        gene: fc.constantFrom(...SYNDROME_GENES),
        id: fc.constantFrom(...VARIANT_IDS),
        zygosity: fc.constantFrom('heterozygous', 'homozygous'),
        significance: fc.constantFrom('pathogenic', 'likely-pathogenic', 'unknown'),
        origin: fc.constant('somatic' as const),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(harmless, { minLength: 1, maxLength: 6 }),
        fc.subarray(ingredients, { minLength: 1, maxLength: 8 }),
        async (variants, drugs) => {
          const recs = await run({ variants }, drugs);
          const fired = recs.filter((r) => !r.ruleId.startsWith('tailor-'));
          if (recs.length > 0) withOutcome++;
          expect(
            fired.filter((r) => ['avoid', 'use-alternative', 'adjust-dose', 'monitor'].includes(r.action)),
          ).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
    expect(withOutcome).toBeGreaterThan(20);
  });

  test('a patient with no findings never gets a standard or contraindication outcome', async () => {
    const recs = await run({}, ingredients);
    expect(recs.filter((r) => r.action === 'standard')).toEqual([]);
    expect(recs.filter((r) => !r.ruleId.startsWith('tailor-'))).toEqual([]);
  });
});
