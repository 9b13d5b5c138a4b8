import { beforeAll, describe, expect, test } from 'vitest';
import type { Assessment, PreparedRuleSet } from '../../functions/core/pipeline';
import { assessResources } from '../../functions/core/pipeline';
import { bundledRuleSet } from '../support/bundled-rules';
import { igExample } from './findings/load';

// The whole pipeline (read → derive → orders → evaluate) over the Genomics Reporting IG STU3 examples,
// each paired with an order of the drug its finding concerns.

let ruleSet: PreparedRuleSet;
beforeAll(async () => {
  ruleSet = await bundledRuleSet();
});

/** A draft MedicationRequest as an EHR sends it: an RxNorm-coded product with its text. */
function order(id: string, text: string, rxnorm?: string): unknown {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/CGPatientExample01' },
    medicationCodeableConcept: {
      ...(rxnorm
        ? { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: rxnorm }] }
        : {}),
      text,
    },
  };
}

async function assess(
  examples: string[],
  orders: unknown[],
  clinical: Record<string, unknown> = {},
): Promise<Assessment> {
  return assessResources([...examples.map(igExample), ...orders], ruleSet, { clinical });
}

describe('IG STU3 examples through the whole pipeline', () => {
  test('CYP2C19 *2/*2 (Pgx-geno-1001): poor metabolizer; clopidogrel after PCI → use an alternative', async () => {
    const { findings, recommendations } = await assess(
      ['Observation-Pgx-geno-1001'],
      [order('mr-1', 'clopidogrel 75 MG Oral Tablet', '309362')],
      { indication: 'acs-pci' },
    );
    expect(findings.genes.find((g) => g.gene === 'CYP2C19')).toMatchObject({
      diplotype: '*2/*2',
      phenotype: 'Poor Metabolizer',
      status: 'called',
    });
    expect(recommendations[0]).toMatchObject({
      ruleId: 'cyp2c19-clopidogrel-poor-acs-pci',
      action: 'use-alternative',
      indicator: 'critical',
      classification: 'Strong',
      orderId: 'mr-1',
    });
    expect(recommendations[0]?.alternatives.map((a) => a.ingredient)).toEqual(['prasugrel', 'ticagrelor']);
    expect(recommendations[0]?.summary.length).toBeLessThan(140);
  });

  test('CYP2C9 *1/*1 and VKORC1 rs9923231 C/T (Pgx-geno-1002, -1003): warfarin → pharmacogenetic dosing', async () => {
    const { findings, recommendations } = await assess(
      ['Observation-Pgx-geno-1002', 'Observation-Pgx-geno-1003'],
      [order('mr-2', 'Warfarin sodium 5 MG Oral Tablet')],
    );
    expect(findings.genes.find((g) => g.gene === 'CYP2C9')).toMatchObject({
      phenotype: 'Normal Metabolizer',
      activityScore: '2.0',
    });
    expect(findings.genes.find((g) => g.gene === 'VKORC1')).toMatchObject({
      diplotype: 'C/T',
      phenotype: '-1639 AG',
    });
    const warfarin = recommendations.filter((r) => r.drug === 'warfarin');
    expect(warfarin.map((r) => r.ruleId)).toContain('cyp2c9-vkorc1-warfarin-algorithm');
    expect(warfarin.every((r) => r.action !== 'not-tested')).toBe(true);
  });

  test('HLA-B*15:02 (GenotypeExample1): carbamazepine in a drug-naive patient → avoid', async () => {
    const { findings, recommendations } = await assess(
      ['Observation-GenotypeExample1'],
      [order('mr-3', 'Tegretol 200 mg')],
    );
    expect(findings.genes.find((g) => g.gene === 'HLA-B')?.alleleStatuses?.['*15:02']).toBe('positive');
    expect(recommendations[0]).toMatchObject({
      ruleId: 'hla-b-1502-carbamazepine-positive-naive',
      action: 'avoid',
      indicator: 'critical',
    });
  });

  test('CYP2D6 *7/*1 from PharmVar haplotypes: intermediate metabolizer; codeine advice follows', async () => {
    const { findings, recommendations } = await assess(
      ['Observation-HaplotypeExamplePharmVar01', 'Observation-HaplotypeExamplePharmVar02'],
      [order('mr-4', 'codeine phosphate 30 MG Oral Tablet')],
    );
    expect(findings.genes.find((g) => g.gene === 'CYP2D6')).toMatchObject({
      diplotype: '*1/*7',
      activityScore: '1.0',
      phenotype: 'Intermediate Metabolizer',
    });
    expect(recommendations[0]?.ruleId).toBe('cyp2d6-codeine-intermediate');
  });

  test('HLA-B*57:01 carrier from the GL String bundle: abacavir → avoid', async () => {
    const { findings, recommendations } = await assess(
      ['Bundle-bundle-CG-IG-HLA-FullBundle-01'],
      [order('mr-5', 'abacavir 300 MG Oral Tablet')],
    );
    expect(findings.genes.find((g) => g.gene === 'HLA-B')?.alleleStatuses?.['*57:01']).toBe('positive');
    expect(recommendations[0]).toMatchObject({
      ruleId: 'hla-b-5701-abacavir-positive',
      action: 'avoid',
      classification: 'Strong',
    });
  });

  test('a patient with no genomic results: every drug with rules is "not tested", never standard', async () => {
    const { findings, recommendations } = await assess(
      ['Patient-CGPatientExample01'],
      [order('mr-6', 'clopidogrel 75 mg'), order('mr-7', 'simvastatin 40 mg')],
    );
    expect(findings.genes).toEqual([]);
    expect(recommendations.map((r) => [r.orderId, r.action])).toEqual([
      ['mr-6', 'not-tested'],
      ['mr-7', 'not-tested'],
    ]);
  });

  test('an order Tailor cannot recognise yields an order with no ingredients and no advice, not a guess', async () => {
    const { orders, recommendations } = await assess(
      ['Observation-Pgx-geno-1001'],
      [order('mr-8', 'Zzyzx 10 mg', '99999999')],
    );
    expect(orders[0]).toMatchObject({
      ingredients: [],
      unmatchedCodes: ['http://www.nlm.nih.gov/research/umls/rxnorm|99999999'],
    });
    expect(recommendations).toEqual([]);
  });
});
