import { describe, expect, test } from 'vitest';
import type {
  GeneCall,
  GeneResult,
  RawFindings,
  SourceRef,
  VariantFinding,
} from '../../../functions/core/model';
import { deriveGeneResults } from '../../../functions/core/phenotypes/derive';
import { loadTables } from './load-tables';

const tables = loadTables();

const src = (id: string): SourceRef => ({ resourceType: 'Observation', id, shape: 'stu3' });

type CallInput = Partial<GeneCall> & { gene: string };
type VariantInput = Partial<VariantFinding> & { gene: string };

function findings(calls: CallInput[], variants: VariantInput[] = []): RawFindings {
  return {
    calls: calls.map((c, i) => ({ origin: 'germline', sources: [src(`call-${i + 1}`)], ...c })),
    variants: variants.map((v, i) => ({
      ids: [],
      hgvs: {},
      presence: 'present',
      zygosity: 'heterozygous',
      significance: 'pathogenic',
      origin: 'germline',
      sources: [src(`variant-${i + 1}`)],
      ...v,
    })),
    conditions: [],
    issues: [],
  };
}

const derive = (calls: CallInput[], variants: VariantInput[] = []): GeneResult[] =>
  deriveGeneResults(findings(calls, variants), tables);

function one(calls: CallInput[], variants: VariantInput[] = []): GeneResult {
  const results = derive(calls, variants);
  expect(results).toHaveLength(1);
  return results[0]!;
}

const call = (gene: string, diplotype: string, extra: Partial<GeneCall> = {}): CallInput => ({
  gene,
  diplotype,
  ...extra,
});

describe('CYP2D6 activity score', () => {
  test.each([
    ['*1/*4', '*1/*4', '1.0', 'Intermediate Metabolizer'],
    ['*4/*1x2', '*1x2/*4', '2.0', 'Normal Metabolizer'],
    ['*1x2/*1', '*1/*1x2', '3.0', 'Ultrarapid Metabolizer'],
    ['*4/*4x2', '*4/*4x2', '0.0', 'Poor Metabolizer'],
    ['*4x≥3/*4', '*4/*4x≥3', '0.0', 'Poor Metabolizer'],
    ['*10/*10', '*10/*10', '0.5', 'Intermediate Metabolizer'],
    // CPIC lowered *41 to 0.25 (2022-11): *1/*41 is 1.25, *41x3 is 0.75.
    ['*41/*1', '*1/*41', '1.25', 'Normal Metabolizer'],
    ['*41x3/*4', '*4/*41x3', '0.75', 'Intermediate Metabolizer'],
    ['*17/*29', '*17/*29', '1.0', 'Intermediate Metabolizer'],
    ['*2/*2x2', '*2/*2x2', '3.0', 'Ultrarapid Metabolizer'],
    ['*10/*36+*10', '*10/*36+*10', '0.5', 'Intermediate Metabolizer'],
  ])('%s → %s, score %s, %s', (given, diplotype, score, phenotype) => {
    expect(one([call('CYP2D6', given)])).toMatchObject({
      status: 'called',
      diplotype,
      activityScore: score,
      lookupKey: score,
      phenotype,
    });
  });

  test('x≥3 gives a "≥" score, classified because every possible score is ultrarapid', () => {
    expect(one([call('CYP2D6', '*1x≥3/*4')])).toMatchObject({ activityScore: '≥3.0', lookupKey: '≥3.0' });
    expect(one([call('CYP2D6', '*1/*1x>=3')])).toMatchObject({
      diplotype: '*1/*1x≥3',
      activityScore: '≥4.0',
      phenotype: 'Ultrarapid Metabolizer',
    });
  });

  test('a "≥" score that could be intermediate or normal is indeterminate', () => {
    const r = one([call('CYP2D6', '*10xN/*4')]);
    expect(r).toMatchObject({ status: 'indeterminate', lookupKey: 'Indeterminate' });
    expect(r.notes.join(' ')).toContain('≥0.5');
  });

  test('PharmVar ids, sub-alleles and a gene prefix resolve', () => {
    expect(one([call('CYP2D6', 'PV00155/CYP2D6*1.001')])).toMatchObject({
      diplotype: '*1/*7',
      activityScore: '1.0',
    });
  });

  test('an uncertain-function allele (no CPIC value) is indeterminate', () => {
    const r = one([call('CYP2D6', '*1/*22')]);
    expect(r).toMatchObject({
      status: 'indeterminate',
      phenotype: 'Indeterminate',
      lookupKey: 'Indeterminate',
    });
    expect(r.activityScore).toBeUndefined();
  });

  test('a reported activity score alone is classified', () => {
    expect(one([{ gene: 'CYP2D6', reportedActivityScore: '1.25' }])).toMatchObject({
      status: 'called',
      phenotype: 'Normal Metabolizer',
      activityScore: '1.25',
      lookupKey: '1.25',
    });
  });

  test('a lab phenotype that contradicts its own score (pre-2019 convention) is a conflict', () => {
    const r = one([
      { gene: 'CYP2D6', reportedPhenotype: 'Normal Metabolizer', reportedActivityScore: '1.0' },
    ]);
    expect(r).toMatchObject({
      status: 'conflict',
      lookupKey: 'Indeterminate',
      reportedPhenotype: 'Normal Metabolizer',
      derivedPhenotype: 'Intermediate Metabolizer',
    });
  });
});

describe('G6PD (X-linked)', () => {
  test.each([
    ['A-', 'A- 202A_376G', 'Deficient'],
    ['B', 'B (reference)', 'Normal'],
    ['Bangkok', 'Bangkok', 'Deficient with CNSHA'],
    ['Mediterranean', 'Mediterranean, Dallas, Panama, Sassari, Cagliari, Birmingham', 'Deficient'],
  ])('hemizygous %s → %s', (given, diplotype, phenotype) => {
    expect(one([call('G6PD', given)])).toMatchObject({
      status: 'called',
      diplotype,
      phenotype,
      lookupKey: phenotype,
    });
  });

  test.each([
    ['A-202A_376G/B', 'B (reference)/A- 202A_376G', 'Variable'],
    ['B/Bangkok', 'B (reference)/Bangkok', 'Variable'],
    ['B/B', 'B (reference)/B (reference)', 'Normal'],
    [
      'A-/Mediterranean',
      'A- 202A_376G/Mediterranean, Dallas, Panama, Sassari, Cagliari, Birmingham',
      'Deficient',
    ],
    [
      'Bangkok/Mediterranean',
      'Bangkok/Mediterranean, Dallas, Panama, Sassari, Cagliari, Birmingham',
      'Deficient',
    ],
    ['Bangkok/Villeurbanne', 'Bangkok/Villeurbanne', 'Deficient with CNSHA'],
  ])('two X chromosomes %s → %s', (given, diplotype, phenotype) => {
    expect(one([call('G6PD', given)])).toMatchObject({ status: 'called', diplotype, phenotype });
  });

  test('an uncertain allele is indeterminate, even beside a normal one', () => {
    expect(one([call('G6PD', 'B/Dagua')])).toMatchObject({
      status: 'indeterminate',
      lookupKey: 'Indeterminate',
    });
  });

  test('three alleles are not a G6PD genotype', () => {
    expect(one([call('G6PD', 'B/B/A-')])).toMatchObject({ status: 'indeterminate' });
  });
});

describe('DPYD', () => {
  test('a variant list: homozygous counts twice', () => {
    expect(one([{ gene: 'DPYD', variants: ['c.1905+1G>A', 'c.1905+1G>A'] }])).toMatchObject({
      status: 'called',
      diplotype: 'c.1905+1G>A (*2A)/c.1905+1G>A (*2A)',
      activityScore: '0.0',
      phenotype: 'Poor Metabolizer',
    });
  });

  test('one decreased-function variant: the other copy is Reference', () => {
    expect(one([{ gene: 'DPYD', variants: ['c.2846A>T'] }])).toMatchObject({
      diplotype: 'Reference/c.2846A>T',
      activityScore: '1.5',
      phenotype: 'Intermediate Metabolizer',
    });
  });

  test('no variant found means both copies Reference', () => {
    const r = one([{ gene: 'DPYD', variants: [] }]);
    expect(r).toMatchObject({
      diplotype: 'Reference/Reference',
      activityScore: '2.0',
      phenotype: 'Normal Metabolizer',
    });
    expect(r.notes.join(' ')).toContain('no variant found');
  });

  test('with three variants the two lowest values count', () => {
    const r = one([{ gene: 'DPYD', variants: ['HapB3', 'c.1905+1G>A', 'c.85T>C'] }]);
    expect(r).toMatchObject({ activityScore: '0.5', phenotype: 'Poor Metabolizer' });
    expect(r.notes.join(' ')).toContain('3 variant copies');
  });

  test('legacy star names in a diplotype resolve', () => {
    expect(one([call('DPYD', '*13/*2A')])).toMatchObject({
      diplotype: 'c.1679T>G (*13)/c.1905+1G>A (*2A)',
      activityScore: '0.0',
    });
  });

  test('variant findings: homozygous, heterozygous pair, and rs ids', () => {
    expect(
      one([], [{ gene: 'DPYD', hgvs: { c: 'NM_000110.4:c.1905+1G>A' }, zygosity: 'homozygous' }]),
    ).toMatchObject({ activityScore: '0.0', phenotype: 'Poor Metabolizer', sources: [src('variant-1')] });
    expect(
      one(
        [],
        [
          { gene: 'DPYD', ids: ['rs67376798'] },
          { gene: 'DPYD', ids: ['rs56038477'] },
        ],
      ),
    ).toMatchObject({ diplotype: 'c.1129-5923C>G, c.1236G>A (HapB3)/c.2846A>T', activityScore: '1.0' });
  });

  test('a lab calling a no-function allele benign contradicts CPIC: indeterminate, never a dose', () => {
    const r = one([], [{ gene: 'DPYD', hgvs: { c: 'c.1905+1G>A' }, significance: 'benign' }]);
    expect(r).toMatchObject({ status: 'indeterminate', lookupKey: 'Indeterminate' });
    expect(r.notes.join(' ')).toContain('the two disagree');
    // A benign call of a normal-function variant is no contradiction.
    expect(one([], [{ gene: 'DPYD', hgvs: { c: 'c.85T>C' }, significance: 'benign' }])).toMatchObject({
      status: 'called',
      activityScore: '2.0',
    });
  });

  test('findings reported absent mean Reference', () => {
    expect(one([], [{ gene: 'DPYD', hgvs: { c: 'c.1905+1G>A' }, presence: 'absent' }])).toMatchObject({
      diplotype: 'Reference/Reference',
      phenotype: 'Normal Metabolizer',
    });
  });

  test('unknown zygosity is indeterminate when one or two copies would differ', () => {
    const r = one([], [{ gene: 'DPYD', hgvs: { c: 'c.1905+1G>A' }, zygosity: 'unknown' }]);
    expect(r).toMatchObject({ status: 'indeterminate', lookupKey: 'Indeterminate' });
    expect(r.notes.join(' ')).toContain('zygosity not reported');
    expect(one([], [{ gene: 'DPYD', hgvs: { c: 'c.85T>C' }, zygosity: 'unknown' }])).toMatchObject({
      status: 'called',
      activityScore: '2.0',
    });
  });

  test('a no-call is never assumed Reference, unless no variant could change the result', () => {
    expect(
      one(
        [],
        [
          { gene: 'DPYD', hgvs: { c: 'c.2846A>T' } },
          { gene: 'DPYD', ids: ['rs3918290'], presence: 'no-call' },
        ],
      ),
    ).toMatchObject({ status: 'indeterminate' });
    expect(
      one(
        [],
        [
          { gene: 'DPYD', hgvs: { c: 'c.1905+1G>A' }, zygosity: 'homozygous' },
          { gene: 'DPYD', ids: ['rs67376798'], presence: 'no-call' },
        ],
      ),
    ).toMatchObject({ status: 'called', activityScore: '0.0' });
  });

  test('a variant the table does not know is indeterminate', () => {
    expect(one([{ gene: 'DPYD', variants: ['c.9999A>G'] }])).toMatchObject({ status: 'indeterminate' });
  });

  test('a genotype call and its variants that agree merge into one result', () => {
    const r = one([call('DPYD', 'c.1905+1G>A/Reference')], [{ gene: 'DPYD', hgvs: { c: 'c.1905+1G>A' } }]);
    expect(r).toMatchObject({ status: 'called', activityScore: '1.0' });
    expect(r.sources).toEqual([src('call-1'), src('variant-1')]);
  });
});

describe('HLA', () => {
  test('typed copies: carrier of *57:01 at three fields and G group', () => {
    const r = one([{ gene: 'HLA-B', hla: { copies: [['HLA-B*57:01:01G'], ['*08:01:01']] } }]);
    expect(r).toMatchObject({
      status: 'called',
      alleleStatuses: { '*15:02': 'negative', '*57:01': 'positive', '*58:01': 'negative' },
      lookupKey: '*15:02 negative; *57:01 positive; *58:01 negative',
      diplotype: 'HLA-B*57:01:01G+*08:01:01',
    });
  });

  test('a match only inside an ambiguity list is indeterminate', () => {
    const r = one([{ gene: 'HLA-B', hla: { copies: [['*57:01:01', '*57:03:01'], ['*08:01']] } }]);
    expect(r).toMatchObject({
      status: 'indeterminate',
      lookupKey: 'Indeterminate',
      alleleStatuses: { '*15:02': 'negative', '*57:01': 'indeterminate', '*58:01': 'negative' },
    });
  });

  test('ambiguity whose every alternative is *57:01 is positive', () => {
    expect(
      one([{ gene: 'HLA-B', hla: { copies: [['*57:01:01', '*57:01:02'], ['*08:01']] } }]).alleleStatuses,
    ).toEqual({ '*15:02': 'negative', '*57:01': 'positive', '*58:01': 'negative' });
  });

  test('one-field typing, or a single typed copy, cannot rule a risk allele out', () => {
    expect(one([{ gene: 'HLA-B', hla: { copies: [['*57'], ['*08:01']] } }]).alleleStatuses?.['*57:01']).toBe(
      'indeterminate',
    );
    expect(one([{ gene: 'HLA-B', hla: { copies: [['*08:01']] } }])).toMatchObject({
      status: 'indeterminate',
    });
  });

  test('a presence test alone reports only the tested allele', () => {
    const r = one([{ gene: 'HLA-B', alleleTests: { '*57:01': 'positive' } }]);
    expect(r).toMatchObject({
      status: 'called',
      alleleStatuses: { '*57:01': 'positive' },
      lookupKey: '*57:01 positive',
    });
    expect(r.notes).toContain('HLA-B: not tested for *15:02, *58:01');
  });

  test('typing and presence test that disagree are a conflict', () => {
    const r = one([
      { gene: 'HLA-B', hla: { copies: [['*57:01'], ['*08:01']] } },
      { gene: 'HLA-B', alleleTests: { '*57:01': 'negative' } },
    ]);
    expect(r).toMatchObject({ status: 'conflict', lookupKey: 'Indeterminate' });
    expect(r.alleleStatuses?.['*57:01']).toBe('indeterminate');
    expect(r.notes.join(' ')).toMatch(/typing\): positive.*presence test\): negative/);
  });

  test('a specific presence test settles an ambiguous typing', () => {
    expect(
      one([
        { gene: 'HLA-B', hla: { copies: [['*57:01', '*57:03'], ['*08:01']] } },
        { gene: 'HLA-B', alleleTests: { '*57:01': 'positive' } },
      ]),
    ).toMatchObject({ status: 'called', alleleStatuses: { '*57:01': 'positive' } });
  });

  test('HLA-A *31:01 from a GL-string-like diplotype', () => {
    expect(one([call('HLA-A', '*02:01:01G+*31:01:02')])).toMatchObject({
      status: 'called',
      alleleStatuses: { '*31:01': 'positive' },
      lookupKey: '*31:01 positive',
    });
  });
});

describe('RYR1 and CACNA1S', () => {
  test('no causative variant found is Uncertain Susceptibility, never normal', () => {
    expect(one([], [{ gene: 'RYR1', hgvs: { c: 'c.1840C>T' }, presence: 'absent' }])).toMatchObject({
      status: 'called',
      diplotype: 'Reference/Reference',
      phenotype: 'Uncertain Susceptibility',
      lookupKey: 'Uncertain Susceptibility',
    });
    expect(one([call('RYR1', 'Reference/Reference')]).phenotype).toBe('Uncertain Susceptibility');
  });

  test.each([
    [{ c: 'c.1840C>T' }, []],
    [{ p: 'p.(Arg614Cys)' }, []],
    [{}, ['rs121918593']],
  ])('a causative variant (%o %o) is MH susceptibility', (hgvs, ids) => {
    expect(one([], [{ gene: 'RYR1', hgvs, ids }])).toMatchObject({
      status: 'called',
      phenotype: 'Malignant Hyperthermia Susceptibility',
    });
  });

  test('an unlisted variant counts by the lab classification, or is indeterminate without one', () => {
    const pathogenic = one(
      [],
      [{ gene: 'RYR1', hgvs: { c: 'c.9999A>G' }, significance: 'likely-pathogenic' }],
    );
    expect(pathogenic.phenotype).toBe('Malignant Hyperthermia Susceptibility');
    expect(pathogenic.notes.join(' ')).toContain('not in the table');
    expect(one([], [{ gene: 'RYR1', hgvs: { c: 'c.9999A>G' }, significance: 'uncertain' }]).phenotype).toBe(
      'Uncertain Susceptibility',
    );
    expect(one([], [{ gene: 'RYR1', hgvs: { c: 'c.9999A>G' }, significance: 'unknown' }]).status).toBe(
      'indeterminate',
    );
  });

  test('CACNA1S c.520C>T', () => {
    expect(one([], [{ gene: 'CACNA1S', ids: ['rs772226819'] }]).phenotype).toBe(
      'Malignant Hyperthermia Susceptibility',
    );
  });
});

describe('MT-RNR1 (haploid)', () => {
  test.each([
    ['m.1555A>G', 'increased risk of aminoglycoside-induced hearing loss'],
    ['1494C>T', 'increased risk of aminoglycoside-induced hearing loss'],
    ['Reference', 'normal risk of aminoglycoside-induced hearing loss'],
    ['m.663A>G', 'uncertain risk of aminoglycoside-induced hearing loss'],
  ])('%s → %s', (given, phenotype) => {
    expect(one([call('MT-RNR1', given)])).toMatchObject({
      status: 'called',
      phenotype,
      lookupKey: phenotype,
    });
  });

  test('variant findings: homoplasmic m.1555A>G by rs id; the most severe of several counts', () => {
    expect(one([], [{ gene: 'MT-RNR1', ids: ['rs267606617'], zygosity: 'homozygous' }]).diplotype).toBe(
      'm.1555A>G',
    );
    expect(
      one(
        [],
        [
          { gene: 'MT-RNR1', hgvs: { g: 'NC_012920.1:m.827A>G' } },
          { gene: 'MT-RNR1', hgvs: { g: 'm.1555A>G' } },
        ],
      ),
    ).toMatchObject({
      diplotype: 'm.1555A>G',
      phenotype: 'increased risk of aminoglycoside-induced hearing loss',
    });
  });

  test('two alleles are not a mitochondrial genotype; a no-call is not Reference', () => {
    expect(one([call('MT-RNR1', 'm.1555A>G/Reference')]).status).toBe('indeterminate');
    expect(one([], [{ gene: 'MT-RNR1', ids: ['rs267606617'], presence: 'no-call' }]).status).toBe(
      'indeterminate',
    );
  });
});

describe('VKORC1 (rs9923231 on the plus strand)', () => {
  test('T/C sorts to C/T with the documented lookup key', () => {
    expect(one([call('VKORC1', 'T/C')])).toMatchObject({
      status: 'called',
      diplotype: 'C/T',
      phenotype: '-1639 AG',
      lookupKey: 'rs9923231 C/T',
    });
  });

  test('a homozygous rs9923231 finding is T/T; gene-strand letters are understood', () => {
    expect(one([], [{ gene: 'VKORC1', ids: ['rs9923231'], zygosity: 'homozygous' }]).lookupKey).toBe(
      'rs9923231 T/T',
    );
    expect(one([call('VKORC1', 'G/G')]).lookupKey).toBe('rs9923231 C/C');
  });
});

describe('unknown and uncertain alleles', () => {
  test('an allele the table does not know is indeterminate, never normal', () => {
    const r = one([call('CYP2C19', '*1/*99')]);
    expect(r).toMatchObject({
      status: 'indeterminate',
      phenotype: 'Indeterminate',
      lookupKey: 'Indeterminate',
    });
    expect(r.notes.join(' ')).toContain('*99 not in the CYP2C19 table');
  });

  test("CPIC's own Indeterminate (uncertain function) is indeterminate", () => {
    expect(one([call('CYP2C19', '*12/*1')])).toMatchObject({ status: 'indeterminate', diplotype: '*1/*12' });
  });

  test('a call the reader flagged indeterminate stays indeterminate', () => {
    const r = one([call('CYP2C19', '*1/*1', { indeterminate: true, note: 'no call at rs4244285' })]);
    expect(r).toMatchObject({ status: 'indeterminate', lookupKey: 'Indeterminate' });
    expect(r.notes.join(' ')).toContain('no call at rs4244285');
  });
});

describe('reported phenotypes', () => {
  test('a reported phenotype alone is used, in CPIC wording', () => {
    expect(one([{ gene: 'CYP2C19', reportedPhenotype: 'CYP2C19 rapid metaboliser' }])).toMatchObject({
      status: 'called',
      phenotype: 'Rapid Metabolizer',
      lookupKey: 'Rapid Metabolizer',
    });
  });

  test('reported and derived that agree: one called result', () => {
    const r = one([call('CYP2C19', '*2/*1', { reportedPhenotype: 'Intermediate metabolizer' })]);
    expect(r).toMatchObject({ status: 'called', phenotype: 'Intermediate Metabolizer' });
    expect(r.reportedPhenotype).toBeUndefined();
  });

  test('reported and derived that differ: a conflict keeping both', () => {
    const r = one([call('CYP2C19', '*1/*2', { reportedPhenotype: 'Poor Metabolizer' })]);
    expect(r).toMatchObject({
      status: 'conflict',
      lookupKey: 'Indeterminate',
      diplotype: '*1/*2',
      reportedPhenotype: 'Poor Metabolizer',
      derivedPhenotype: 'Intermediate Metabolizer',
    });
    expect(r.phenotype).toBeUndefined();
    expect(r.notes.join(' ')).toContain(
      'the lab reports Poor Metabolizer, the genotype gives Intermediate Metabolizer',
    );
  });

  test('a lab phenotype does not stand in for a genotype the table cannot read; both stay visible', () => {
    const r = one([call('CYP2C19', '*1/*99', { reportedPhenotype: 'Normal Metabolizer' })]);
    expect(r).toMatchObject({
      status: 'indeterminate',
      lookupKey: 'Indeterminate',
      reportedPhenotype: 'Normal Metabolizer',
      derivedPhenotype: 'Indeterminate',
    });
    expect(r.notes.join(' ')).toContain('could not be checked against the genotype');
  });

  test('a call flagged indeterminate stays indeterminate even with a lab phenotype', () => {
    const r = one([{ gene: 'CYP2C19', indeterminate: true, reportedPhenotype: 'Poor Metabolizer' }]);
    expect(r).toMatchObject({ status: 'indeterminate', reportedPhenotype: 'Poor Metabolizer' });
  });

  test('an HLA phenotype sentence is read as a presence result', () => {
    expect(one([{ gene: 'HLA-B', reportedPhenotype: 'HLA-B*57:01 not detected' }]).alleleStatuses).toEqual({
      '*57:01': 'negative',
    });
  });

  test('unrecognised or indeterminate lab text is indeterminate', () => {
    expect(one([{ gene: 'CYP2C19', reportedPhenotype: 'see comment' }]).status).toBe('indeterminate');
    expect(one([{ gene: 'CYP2C19', reportedPhenotype: 'Indeterminate' }]).status).toBe('indeterminate');
  });

  test('a gene without a table keeps the reported phenotype, or is indeterminate', () => {
    expect(one([{ gene: 'CYP1A2', reportedPhenotype: 'Poor metabolizer' }])).toMatchObject({
      status: 'called',
      phenotype: 'Poor Metabolizer',
    });
    const r = one([call('CYP1A2', '*1F/*1F')]);
    expect(r).toMatchObject({ status: 'indeterminate', diplotype: '*1F/*1F' });
    expect(r.notes.join(' ')).toContain('no gene table');
  });
});

describe('several results for one gene', () => {
  test('identical results merge, sources concatenated', () => {
    const r = one([call('CYP2C19', '*1/*17'), call('CYP2C19', '*17/*1')]);
    expect(r).toMatchObject({ status: 'called', phenotype: 'Rapid Metabolizer' });
    expect(r.sources).toEqual([src('call-1'), src('call-2')]);
  });

  test('results that disagree are one conflict naming both', () => {
    const r = one([call('CYP2C19', '*1/*2'), call('CYP2C19', '*2/*2')]);
    expect(r).toMatchObject({ status: 'conflict', lookupKey: 'Indeterminate' });
    expect(r.notes[0]).toContain('Observation/call-1: *1/*2 → Intermediate Metabolizer');
    expect(r.notes[0]).toContain('Observation/call-2: *2/*2 → Poor Metabolizer');
  });

  test('an indeterminate result does not hide a called one', () => {
    const r = one([call('CYP2C19', '*1/*2'), call('CYP2C19', '*1/*99')]);
    expect(r).toMatchObject({ status: 'called', phenotype: 'Intermediate Metabolizer' });
    expect(r.notes.join(' ')).toContain('was indeterminate');
  });

  test('germline and somatic are kept apart', () => {
    const results = derive([call('CYP2C19', '*2/*2', { origin: 'somatic' }), call('CYP2C19', '*1/*1')]);
    expect(results.map((r) => [r.origin, r.phenotype])).toEqual([
      ['germline', 'Normal Metabolizer'],
      ['somatic', 'Poor Metabolizer'],
    ]);
  });

  test('genes with no call have no result (not tested)', () => {
    expect(derive([call('CYP2C19', '*1/*1')]).map((r) => r.gene)).toEqual(['CYP2C19']);
  });
});

describe('odd input', () => {
  test.each([
    ['null', null],
    ['an empty object', {}],
    ['calls that are not objects', { calls: [null, 3, 'x', [], { gene: 7 }], variants: [null, {}] }],
    [
      'fields of the wrong type',
      {
        calls: [
          {
            gene: 'cyp2c19',
            diplotype: 5,
            origin: 'martian',
            hla: { copies: 'x' },
            alleleTests: { '*57:01': 'maybe' },
          },
          { gene: 'HLA-B', hla: { copies: [[1, null], 'x'] }, alleleTests: { 'not an allele': 'positive' } },
          { gene: 'DPYD', variants: [null, 3, 'c.1905+1G>A'], sources: 'nope' },
        ],
        variants: [{ gene: 'RYR1', presence: 'present', hgvs: 'c.1840C>T', ids: 'rs1' }],
      },
    ],
  ])('%s does not throw', (_what, raw) => {
    expect(() => deriveGeneResults(raw as unknown as RawFindings, tables)).not.toThrow();
  });

  test('a lower-case gene symbol and unknown origin are normalised', () => {
    const [r] = deriveGeneResults(
      { calls: [{ gene: 'cyp2c19', diplotype: '*1/*2', origin: 'x' }] } as unknown as RawFindings,
      tables,
    );
    expect(r).toMatchObject({ gene: 'CYP2C19', origin: 'unknown', phenotype: 'Intermediate Metabolizer' });
  });
});
