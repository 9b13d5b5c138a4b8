/** readFindings on our own synthetic fixtures (test/fixtures/fhir): older shapes, input forms, status, origin. */
import { describe, expect, it } from 'vitest';
import { readFindings } from '../../../functions/core/findings/read-findings';
import type { RawFindings } from '../../../functions/core/model';
import { fixture, issueTexts, onlyCall } from './load';
import { wellFormedProblems } from './well-formed';

function read(input: unknown): RawFindings {
  const findings = readFindings(input);
  expect(wellFormedProblems(findings)).toEqual([]);
  return findings;
}

const LOINC = 'http://loinc.org';

function genotype(
  id: string,
  gene: string,
  hgnc: string,
  value: string,
  extra: Record<string, unknown> = {},
) {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: '84413-4' }] },
    valueCodeableConcept: { text: value },
    component: [
      {
        code: { coding: [{ system: LOINC, code: '48018-6' }] },
        valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org', code: hgnc, display: gene }] },
      },
    ],
    ...extra,
  };
}

describe('older shapes', () => {
  it('STU2: phenotype in a predicted-therapeutic-implication component, text only with the gene in front', () => {
    const findings = read(fixture('stu2-pgx-report'));
    expect(findings.calls).toEqual([
      {
        gene: 'CYP2C19',
        origin: 'unknown',
        diplotype: '*1/*17',
        reportedPhenotype: 'Rapid Metabolizer',
        sources: [
          {
            resourceType: 'Observation',
            id: 'fx-stu2-genotype',
            shape: 'stu3',
            issued: '2021-03-04T09:00:00Z',
            performer: 'Fictional Genomics Lab North',
          },
          {
            resourceType: 'Observation',
            id: 'fx-stu2-implication',
            shape: 'stu2',
            issued: '2021-03-04T09:00:00Z',
            performer: 'Fictional Genomics Lab North',
          },
        ],
      },
    ]);
    expect(findings.issues).toEqual([]);
  });

  it('2021 ballot: metabolism (53040-2), efficacy (51961-1) and high-risk (83009-1) components, urn:uuid links', () => {
    const findings = read(fixture('ballot-2021-report'));
    const cyp2d6 = onlyCall(findings, 'CYP2D6');
    expect(cyp2d6.diplotype).toBe('*1/*4');
    expect(cyp2d6.reportedPhenotype).toBe('Intermediate Metabolizer');
    expect(cyp2d6.sources.map((s) => s.shape)).toEqual(['stu3', 'ballot-2021']);
    expect(cyp2d6.sources[1]?.performer).toBe('Fictional Ballot-Era Lab');
    const slco1b1 = onlyCall(findings, 'SLCO1B1');
    expect(slco1b1.diplotype).toBe('*1/*5');
    expect(slco1b1.reportedPhenotype).toBe('Decreased Function');
    const hlab = onlyCall(findings, 'HLA-B');
    expect(hlab.hla).toEqual({ copies: [['*58:01'], ['*35:01']] });
    expect(hlab.reportedPhenotype).toBeUndefined();
    expect(hlab.note).toBe('Lab implication for allopurinol: High risk.');
    expect(findings.issues).toEqual([]);
  });

  it('STU1: report 81247-9, phenotype and pathogenicity as separate Observations, bare HGNC number', () => {
    const findings = read(fixture('stu1-report'));
    const call = onlyCall(findings, 'CYP2C9');
    expect(call).toMatchObject({ diplotype: '*1/*3', reportedPhenotype: 'Intermediate Metabolizer' });
    expect(call.sources.map((s) => [s.id, s.shape, s.performer])).toEqual([
      ['fx-stu1-genotype', 'stu1', 'Fictional Reference Lab'],
      ['fx-stu1-metabolism', 'stu1', 'Fictional Reference Lab'],
    ]);
    expect(findings.variants).toEqual([
      {
        gene: 'F5',
        ids: ['rs6025', 'NM_000130.5:c.1601G>A'],
        hgvs: { c: 'NM_000130.5:c.1601G>A' },
        presence: 'present',
        zygosity: 'heterozygous',
        significance: 'pathogenic',
        origin: 'germline',
        sources: [
          {
            resourceType: 'Observation',
            id: 'fx-stu1-variant',
            shape: 'stu1',
            issued: '2019-05-06T00:00:00Z',
            performer: 'Fictional Reference Lab',
          },
        ],
      },
    ]);
    expect(findings.conditions).toHaveLength(1);
    expect(findings.conditions[0]).toMatchObject({
      codes: [
        {
          system: 'http://hl7.org/fhir/sid/icd-10-cm',
          code: 'D68.51',
          display: 'Activated protein C resistance',
        },
      ],
      text: 'Activated protein C resistance',
      verification: 'confirmed',
      clinical: 'active',
      origin: 'germline',
    });
    expect(findings.conditions[0]?.sources.map((s) => [s.id, s.shape])).toEqual([
      ['fx-stu1-pathogenicity', 'stu1'],
      ['fx-stu1-variant', 'stu1'],
    ]);
    expect(findings.issues).toEqual([]);
  });

  it('pre-IG observation-genetics extensions: DSTU2 and R3 forms, and a genotype', () => {
    const findings = read(fixture('genetics-extension'));
    expect(findings.variants).toEqual([
      expect.objectContaining({
        gene: 'F2',
        ids: ['rs1799963', 'NM_000506.5:c.*97G>A'],
        hgvs: { c: 'NM_000506.5:c.*97G>A' },
        presence: 'present',
        zygosity: 'heterozygous',
        origin: 'germline',
        sources: [
          {
            resourceType: 'Observation',
            id: 'fx-ext-f2',
            shape: 'genetics-extension',
            issued: '2014-02-03T10:00:00+01:00',
            performer: 'Fictional Molecular Lab',
          },
        ],
      }),
      expect.objectContaining({
        gene: 'F5',
        hgvs: { c: 'NM_000130.5:c.1601G>A', p: 'p.Arg534Gln' },
        presence: 'present',
        origin: 'somatic',
      }),
    ]);
    const call = onlyCall(findings, 'CYP2C19');
    expect(call.diplotype).toBe('*2/*17');
    expect(call.sources[0]?.shape).toBe('genetics-extension');
    expect(findings.issues).toEqual([]);
  });

  it('Genomics Operations reference-server style: Parameters, duplicates, odd systems, values only in text', () => {
    const findings = read(fixture('reference-server-style'));
    const cyp2d6 = onlyCall(findings, 'CYP2D6');
    expect(cyp2d6).toMatchObject({
      diplotype: '*1/*2x2',
      reportedPhenotype: 'Ultrarapid Metabolizer',
      reportedActivityScore: '3.0',
    });
    expect(cyp2d6.sources.map((s) => [s.id, s.shape])).toEqual([
      ['fx-ops-cyp2d6', 'stu3'],
      ['fx-ops-cyp2d6-implication', 'stu2'],
    ]);
    expect(onlyCall(findings, 'NUDT15')).toMatchObject({ diplotype: '*1/*3', sources: [{ shape: 'text' }] });
    expect(onlyCall(findings, 'TPMT')).toMatchObject({ reportedPhenotype: 'Intermediate Metabolizer' });
    expect(onlyCall(findings, 'TPMT').diplotype).toBeUndefined();
    // presence=false for HLA-B*27 is a query answer, not a result: nothing is read from it.
    expect(findings.calls.flatMap((c) => Object.keys(c.alleleTests ?? {}))).toEqual(['*57:01']);
    expect(issueTexts(findings)).toContain(
      'Observation/fx-ops-comment: Genomic-looking Observation not understood; not used.',
    );
  });

  it('reference-server defect: GL String "HLA-B*08:01/HLA-B*57:01" ("/" where "+" is meant) is indeterminate, not read as two copies', () => {
    const findings = read(fixture('reference-server-style'));
    const gl = findings.calls.find((c) => c.gene === 'HLA-B' && c.hla !== undefined);
    expect(gl).toMatchObject({ hla: { copies: [['*08:01', '*57:01']] }, indeterminate: true });
    expect(issueTexts(findings)).toContain(
      'Observation/fx-ops-hlab: GL String has one copy with alternative alleles (possibly "/" used for "+"); indeterminate.',
    );
  });

  it('an HLA allele test written out in text: code names the allele, value "Negative"', () => {
    const findings = read(fixture('reference-server-style'));
    const test = findings.calls.find((c) => c.alleleTests !== undefined);
    expect(test).toMatchObject({ gene: 'HLA-B', alleleTests: { '*57:01': 'negative' } });
    expect(test?.sources).toEqual([
      { resourceType: 'Observation', id: 'fx-ops-b5701-test', shape: 'text', issued: '2022-02-02T08:00:00Z' },
    ]);
  });
});

describe('HLA allele presence tests', () => {
  const presence = (code: unknown, value: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    resourceType: 'Observation',
    id: 'fx-presence',
    status: 'final',
    code,
    ...value,
    ...extra,
  });

  it.each([
    [
      'LA9633-4 present',
      { valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA9633-4' }] } },
      'positive',
    ],
    [
      'LA9634-2 absent',
      { valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA9634-2' }] } },
      'negative',
    ],
    ['"Positive"', { valueString: 'Positive' }, 'positive'],
    ['"not detected"', { valueString: 'not detected' }, 'negative'],
    ['"Inconclusive"', { valueCodeableConcept: { text: 'Inconclusive' } }, 'indeterminate'],
    ['boolean true', { valueBoolean: true }, 'positive'],
  ])('allele in the code, value %s', (_, value, expected) => {
    const findings = read(presence({ text: 'HLA-B*57:01 [Presence]' }, value));
    expect(onlyCall(findings, 'HLA-B').alleleTests).toEqual({ '*57:01': expected });
  });

  it('allele and answer in one value string ("HLA-B*5701 negative")', () => {
    const findings = read(
      presence(
        { text: 'HLA typing' },
        { valueString: 'HLA-B*5701 negative' },
        { category: [{ text: 'Genetics' }] },
      ),
    );
    expect(onlyCall(findings, 'HLA-B').alleleTests).toEqual({ '*57:01': 'negative' });
  });

  it('genotype Observation valued LA9633-4 with the allele in a component', () => {
    const findings = read({
      resourceType: 'Observation',
      id: 'fx-presence-genotype',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '84413-4' }] },
      valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA9633-4', display: 'Present' }] },
      component: [
        {
          code: { coding: [{ system: LOINC, code: '48018-6' }] },
          valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org', code: 'HGNC:4932' }] },
        },
        {
          code: { coding: [{ system: LOINC, code: '84414-2' }] },
          valueCodeableConcept: {
            coding: [{ system: 'http://www.ebi.ac.uk/ipd/imgt/hla', code: 'HLA-B*58:01' }],
          },
        },
      ],
    });
    expect(onlyCall(findings, 'HLA-B').alleleTests).toEqual({ '*58:01': 'positive' });
  });
});

describe('text results are only read from genomic-looking Observations', () => {
  it('a star allele written in a code ("CYP2C19*17 allele" = Positive) is not taken for an HLA test', () => {
    const findings = read({
      resourceType: 'Observation',
      id: 'fx-star-test',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] }],
      code: { text: 'CYP2C19*17 allele' },
      valueString: 'Positive',
    });
    expect(findings.calls).toEqual([]);
    expect(issueTexts(findings)).toEqual([
      'Observation/fx-star-test: Genomic-looking Observation not understood; not used.',
    ]);
  });

  it('a gene symbol alone in a non-genetic code ("PROC note" = "N/A") is ignored', () => {
    const findings = read({
      resourceType: 'Observation',
      id: 'fx-proc-note',
      status: 'final',
      code: { text: 'PROC note' },
      valueString: 'N/A',
    });
    expect(findings).toEqual({ calls: [], variants: [], conditions: [], issues: [] });
  });
});

describe('input forms', () => {
  const bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [{ resource: genotype('fx-in-1', 'CYP2C19', 'HGNC:2621', 'CYP2C19 *1/*2') }],
  };

  it('a Bundle, an array of resources, one resource, and nested Bundles give the same call', () => {
    const expected = [{ gene: 'CYP2C19', diplotype: '*1/*2' }];
    const pick = (f: RawFindings) => f.calls.map((c) => ({ gene: c.gene, diplotype: c.diplotype }));
    expect(pick(read(bundle))).toEqual(expected);
    expect(pick(read([genotype('fx-in-1', 'CYP2C19', 'HGNC:2621', '*1/*2')]))).toEqual(expected);
    expect(pick(read(genotype('fx-in-1', 'CYP2C19', 'HGNC:2621', '*1/*2')))).toEqual(expected);
    expect(pick(read({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: bundle }] }))).toEqual(
      expected,
    );
  });

  it('a CDS Hooks prefetch map (key → Bundle | resource | null)', () => {
    const findings = read({
      patient: { resourceType: 'Patient', id: 'fx-prefetch-patient', name: [{ text: 'Prefetch Fixture' }] },
      genomics: bundle,
      conditions: fixture('conditions'),
      missing: null,
    });
    expect(findings.calls.map((c) => c.gene)).toEqual(['CYP2C19']);
    expect(findings.conditions.length).toBeGreaterThan(0);
  });

  it('a CDS Hooks request wrapping the prefetch', () => {
    const findings = read({
      hook: 'order-select',
      context: { draftOrders: { resourceType: 'Bundle' } },
      prefetch: { g: bundle },
    });
    expect(findings.calls.map((c) => c.gene)).toEqual(['CYP2C19']);
  });

  it('contained resources referenced with "#id" from a report, an implication joining its contained genotype', () => {
    const findings = read({
      resourceType: 'DiagnosticReport',
      id: 'fx-contained-report',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '51969-4' }] },
      issued: '2024-05-05',
      performer: [{ display: 'Fictional Contained Lab' }],
      contained: [
        genotype('g', 'CYP2C9', 'HGNC:2623', '*1/*3'),
        {
          resourceType: 'Observation',
          id: 'ti',
          status: 'final',
          code: {
            coding: [
              {
                system: 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs',
                code: 'therapeutic-implication',
              },
            ],
          },
          derivedFrom: [{ reference: '#g' }],
          component: [
            {
              code: {
                coding: [
                  {
                    system: 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs',
                    code: 'therapeutic-implication',
                  },
                ],
              },
              valueCodeableConcept: {
                coding: [{ system: LOINC, code: 'LA10317-8', display: 'Intermediate metabolizer' }],
              },
            },
          ],
        },
      ],
      result: [{ reference: '#g' }, { reference: '#ti' }],
    });
    expect(findings.calls).toEqual([
      {
        gene: 'CYP2C9',
        origin: 'unknown',
        diplotype: '*1/*3',
        reportedPhenotype: 'Intermediate Metabolizer',
        sources: [
          {
            resourceType: 'Observation',
            id: 'g',
            shape: 'stu3',
            issued: '2024-05-05',
            performer: 'Fictional Contained Lab',
          },
          {
            resourceType: 'Observation',
            id: 'ti',
            shape: 'stu3',
            issued: '2024-05-05',
            performer: 'Fictional Contained Lab',
          },
        ],
      },
    ]);
  });

  it('identical duplicates are read once; a differing duplicate keeps the first copy and says so', () => {
    const a = genotype('fx-dup', 'CYP2C19', 'HGNC:2621', '*1/*1');
    expect(read([a, structuredClone(a)]).calls).toHaveLength(1);
    const changed = read([a, genotype('fx-dup', 'CYP2C19', 'HGNC:2621', '*2/*2')]);
    expect(changed.calls.map((c) => c.diplotype)).toEqual(['*1/*1']);
    expect(issueTexts(changed)).toEqual([
      'Observation/fx-dup: The same resource id came twice with different content; the first copy was used.',
    ]);
  });

  it('an OperationOutcome error in the input is reported (results may be missing)', () => {
    const findings = read([
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] },
    ]);
    expect(findings.issues).toEqual([
      {
        severity: 'warning',
        message: 'A source returned an error (OperationOutcome): some results may be missing.',
      },
    ]);
  });

  it('resources about two patients give an error issue (never silently mixed)', () => {
    const one = {
      ...genotype('fx-p1', 'CYP2C19', 'HGNC:2621', '*1/*1'),
      subject: { reference: 'Patient/fx-a' },
    };
    const two = {
      ...genotype('fx-p2', 'CYP2C9', 'HGNC:2623', '*1/*1'),
      subject: { reference: 'Patient/fx-b' },
    };
    expect(read([one, two]).issues).toContainEqual({
      severity: 'error',
      message: 'The resources are about more than one patient; findings may mix patients.',
    });
    const sameViaUrn = read({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111',
          resource: { resourceType: 'Patient', id: 'fx-a' },
        },
        { resource: { ...one, subject: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' } } },
        { resource: { ...two, subject: { reference: 'Patient/fx-a' } } },
      ],
    });
    expect(sameViaUrn.issues).toEqual([]);
  });

  it('two results for one gene stay two calls (the derivation step decides)', () => {
    const findings = read([
      genotype('fx-two-1', 'CYP2C19', 'HGNC:2621', '*1/*1'),
      genotype('fx-two-2', 'CYP2C19', '2621', '*1/*2'),
    ]);
    expect(findings.calls.map((c) => [c.gene, c.diplotype])).toEqual([
      ['CYP2C19', '*1/*1'],
      ['CYP2C19', '*1/*2'],
    ]);
  });
});

describe('genotype values that cannot be used', () => {
  it.each([
    ['no call', 'No call', 'The lab reported no call for this genotype.'],
    ['unreadable text', 'see attached PDF', 'The genotype value could not be read.'],
    [
      'another gene in the value',
      'CYP2D6 *1/*4',
      'The genotype value names a different gene than the gene studied.',
    ],
  ])('%s → an indeterminate call', (_, value, note) => {
    const call = onlyCall(read(genotype('fx-bad', 'CYP2C19', 'HGNC:2621', value)), 'CYP2C19');
    expect(call.indeterminate).toBe(true);
    expect(call.diplotype).toBeUndefined();
    expect(call.note).toBe(note);
  });

  it('gene id and display naming different genes → not used, error issue', () => {
    const findings = read(genotype('fx-conflict', 'CYP2C9', 'HGNC:2621', '*1/*1'));
    expect(findings.calls).toEqual([]);
    expect(findings.issues.map((i) => i.severity)).toContain('error');
  });

  it('codings that disagree → indeterminate', () => {
    const findings = read({
      ...genotype('fx-disagree', 'CYP2C19', 'HGNC:2621', ''),
      valueCodeableConcept: {
        coding: [{ system: 'http://www.pharmvar.org', code: 'CYP2C19 *1/*2', display: 'CYP2C19 *1/*17' }],
      },
    });
    expect(onlyCall(findings, 'CYP2C19')).toMatchObject({ indeterminate: true });
  });
});

describe('status filtering', () => {
  const findings = readFindings(fixture('status'));

  it('final, amended and corrected count; a final result in a preliminary report counts', () => {
    expect(findings.calls.map((c) => [c.gene, c.diplotype])).toEqual([
      ['CYP2C19', '*1/*1'],
      ['CYP2C9', '*1/*2'],
      ['CYP3A5', '*3/*3'],
      ['G6PD', 'B/B'],
    ]);
  });

  it('preliminary, registered, unknown and missing give an issue; entered-in-error and cancelled are silent', () => {
    const texts = issueTexts(findings);
    for (const id of ['fx-st-preliminary', 'fx-st-registered', 'fx-st-unknown', 'fx-st-missing']) {
      expect(texts.some((t) => t.startsWith(`Observation/${id}:`))).toBe(true);
    }
    for (const id of ['fx-st-error', 'fx-st-cancelled']) {
      expect(texts.some((t) => t.includes(id))).toBe(false);
    }
  });

  it('the results of an entered-in-error report are not used, with an issue', () => {
    expect(findings.calls.some((c) => c.gene === 'CYP2B6')).toBe(false);
    expect(issueTexts(findings)).toContain(
      'Observation/fx-st-in-withdrawn-report: Result of a report that was entered in error or cancelled; not used.',
    );
    expect(issueTexts(findings)).toContain(
      'DiagnosticReport/fx-st-report-preliminary: Report status is not final, amended or corrected; its results are judged by their own status.',
    );
  });

  it('non-genomic Observations (a preliminary heart rate) make no issue', () => {
    expect(issueTexts(findings).some((t) => t.includes('fx-st-vitals'))).toBe(false);
  });
});

describe('germline and somatic', () => {
  const findings = readFindings(fixture('germline-somatic'));
  const byId = (id: string) => findings.variants.find((v) => v.sources[0]?.id === id);

  it('a variant in a tumour report without a source class is somatic', () => {
    expect(byId('fx-or-tumour-dpyd')?.origin).toBe('somatic');
  });

  it('a stated source class (48002-0) wins over the report', () => {
    expect(byId('fx-or-tumour-stated-germline')?.origin).toBe('germline');
    expect(byId('fx-or-explicit-somatic')?.origin).toBe('somatic');
  });

  it('a germline report makes its variants germline; a genotype derived from them is germline too', () => {
    expect(byId('fx-or-germline-dpyd')?.origin).toBe('germline');
    expect(onlyCall(findings, 'DPYD')).toMatchObject({
      origin: 'germline',
      diplotype: 'Reference/c.2846A>T',
      variants: ['rs67376798'],
    });
  });

  it('with nothing to tell, origin stays unknown', () => {
    expect(byId('fx-or-lone')?.origin).toBe('unknown');
  });
});

describe('Conditions', () => {
  const findings = readFindings(fixture('conditions'));

  it('reads SNOMED CT, ICD-10(-CM) and text-only Conditions with their statuses; no key is set', () => {
    expect(findings.conditions).toEqual([
      {
        codes: [{ system: 'http://snomed.info/sct', code: '405501007', display: 'Malignant hyperthermia' }],
        text: 'Malignant hyperthermia',
        verification: 'confirmed',
        clinical: 'active',
        origin: 'unknown',
        sources: [
          {
            resourceType: 'Condition',
            id: 'fx-cond-mh',
            shape: 'condition',
            issued: '2018-09-10',
            performer: 'Dr. Imaginary Anaesthetist',
          },
        ],
      },
      {
        codes: [
          {
            system: 'http://hl7.org/fhir/sid/icd-10-cm',
            code: 'D68.51',
            display: 'Activated protein C resistance',
          },
        ],
        text: 'Activated protein C resistance',
        verification: 'confirmed',
        clinical: 'active',
        origin: 'unknown',
        sources: [{ resourceType: 'Condition', id: 'fx-cond-apc', shape: 'condition', issued: '2012-04-01' }],
      },
      {
        codes: [],
        text: 'Congenital thrombotic thrombocytopenic purpura',
        verification: 'provisional',
        clinical: 'active',
        origin: 'unknown',
        sources: [{ resourceType: 'Condition', id: 'fx-cond-ttp', shape: 'condition' }],
      },
      {
        codes: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'D68.59' }],
        text: 'Hereditary antithrombin deficiency',
        verification: 'refuted',
        clinical: 'inactive',
        origin: 'unknown',
        sources: [{ resourceType: 'Condition', id: 'fx-cond-refuted', shape: 'condition' }],
      },
      {
        codes: [
          {
            system: 'http://hl7.org/fhir/sid/icd-10',
            code: 'I78.0',
            display: 'Hereditary haemorrhagic telangiectasia',
          },
        ],
        text: 'Hereditary haemorrhagic telangiectasia',
        verification: 'confirmed',
        clinical: 'active',
        origin: 'unknown',
        sources: [
          { resourceType: 'Condition', id: 'fx-cond-stu3', shape: 'condition', issued: '2010-10-10' },
        ],
      },
    ]);
  });

  it('drops entered-in-error silently and reports a Condition without code', () => {
    expect(issueTexts(findings)).toEqual([
      'Condition/fx-cond-nocode: Condition has no code or text; not used.',
    ]);
  });

  it('several statements of one diagnosis become one finding with every source', () => {
    const implication = (id: string) => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      code: {
        coding: [
          {
            system: 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs',
            code: 'diagnostic-implication',
          },
        ],
      },
      component: [
        {
          code: { coding: [{ system: LOINC, code: '53037-8' }] },
          valueCodeableConcept: {
            coding: [{ system: LOINC, code: 'LA26332-9', display: 'Likely pathogenic' }],
          },
        },
        {
          code: { coding: [{ system: LOINC, code: '81259-4' }] },
          valueCodeableConcept: {
            coding: [
              {
                system: 'http://hl7.org/fhir/sid/icd-10-cm',
                code: 'D68.52',
                display: 'Prothrombin gene mutation',
              },
            ],
          },
        },
      ],
    });
    const merged = read([implication('fx-dx-1'), implication('fx-dx-2')]);
    expect(merged.conditions).toHaveLength(1);
    expect(merged.conditions[0]).toMatchObject({ verification: 'provisional', clinical: 'active' });
    expect(merged.conditions[0]?.sources.map((s) => s.id)).toEqual(['fx-dx-1', 'fx-dx-2']);
  });
});

describe('issues carry no patient values', () => {
  it('no diplotype, allele, phenotype, name or date from the input appears in any issue', () => {
    const inputs = [
      'stu2-pgx-report',
      'ballot-2021-report',
      'stu1-report',
      'genetics-extension',
      'reference-server-style',
      'conditions',
      'status',
      'germline-somatic',
    ].map(fixture);
    const issues = readFindings(inputs).issues.map((i) => `${i.message} ${i.resource ?? ''}`);
    expect(issues.length).toBeGreaterThan(5);
    for (const text of issues) {
      expect(text).not.toMatch(/\*\d|[ACGT]>[ACGT]|Metaboli|Fixture|Fictional|\b(?:19|20)\d\d-\d\d|rs\d{3,}/);
    }
  });
});

const TBD = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs';

function implication(id: string, from: string, answer: { code?: string; text?: string }) {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: TBD, code: 'therapeutic-implication' }] },
    derivedFrom: [{ reference: `Observation/${from}` }],
    component: [
      {
        code: { coding: [{ system: TBD, code: 'therapeutic-implication' }] },
        valueCodeableConcept: answer.code
          ? { coding: [{ system: LOINC, code: answer.code }] }
          : { text: answer.text },
      },
    ],
  };
}

function variant(id: string, extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: '69548-6' }] },
    valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA9633-4' }] },
    component: [
      {
        code: { coding: [{ system: LOINC, code: '48018-6' }] },
        valueCodeableConcept: {
          coding: [{ system: 'http://www.genenames.org', code: 'HGNC:775', display: 'SERPINC1' }],
        },
      },
      {
        code: { coding: [{ system: LOINC, code: '48004-6' }] },
        valueCodeableConcept: {
          coding: [{ system: 'http://varnomen.hgvs.org', code: 'NM_000488.4:c.1234G>A' }],
        },
      },
    ],
    ...extra,
  };
}

function diagnostic(id: string, from: string, significance: string) {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: TBD, code: 'diagnostic-implication' }] },
    derivedFrom: [{ reference: `Observation/${from}` }],
    component: [
      {
        code: { coding: [{ system: LOINC, code: '53037-8' }] },
        valueCodeableConcept: { coding: [{ system: LOINC, code: significance }] },
      },
      {
        code: { coding: [{ system: LOINC, code: '81259-4' }] },
        valueCodeableConcept: { text: 'Hereditary antithrombin deficiency' },
      },
    ],
  };
}

function haplotype(id: string, allele: string, extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: '84414-2' }] },
    valueCodeableConcept: { coding: [{ system: 'http://www.pharmvar.org', display: allele }] },
    component: [
      {
        code: { coding: [{ system: LOINC, code: '48018-6' }] },
        valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org', code: 'HGNC:2625' }] },
      },
    ],
    ...extra,
  };
}

describe('pieces of one result', () => {
  it('implications of one genotype that give different phenotypes: none is taken, both are noted', () => {
    const findings = read([
      genotype('fx-g', 'CYP2C19', 'HGNC:2621', '*1/*2'),
      implication('fx-i1', 'fx-g', { code: 'LA10317-8' }),
      implication('fx-i2', 'fx-g', { code: 'LA9657-3' }),
    ]);
    const call = onlyCall(findings, 'CYP2C19');
    expect(call.reportedPhenotype).toBeUndefined();
    expect(call.note).toBe(
      'The lab reported different phenotypes for this result: Intermediate Metabolizer; Poor Metabolizer.',
    );
    expect(issueTexts(findings)).toEqual([
      'Observation/fx-g: Implications of one result report different phenotypes; none was taken as the phenotype.',
    ]);
  });

  it('an unrecognised phenotype text is kept as a note, with an issue', () => {
    const findings = read([
      genotype('fx-g', 'CYP2C19', 'HGNC:2621', '*1/*2'),
      implication('fx-i', 'fx-g', { text: 'Slightly quicker than average' }),
    ]);
    expect(onlyCall(findings, 'CYP2C19').note).toBe(
      'Lab phenotype not recognised: Slightly quicker than average.',
    );
    expect(findings.issues.map((i) => i.message)).toEqual([
      'Phenotype text not recognised; kept as a note only.',
    ]);
  });

  it('haplotypes without a genotype or report pair when date and performer agree', () => {
    const same = { issued: '2024-01-01', performer: [{ reference: 'Organization/fx-lab' }] };
    const paired = read([haplotype('fx-h1', 'CYP2D6*4', same), haplotype('fx-h2', 'CYP2D6*10', same)]);
    expect(paired.calls.map((c) => c.diplotype)).toEqual(['*4/*10']);
    const apart = read([
      haplotype('fx-h1', 'CYP2D6*4', same),
      haplotype('fx-h2', 'CYP2D6*10', { ...same, issued: '2024-02-02' }),
    ]);
    expect(apart.calls.map((c) => [c.diplotype, c.indeterminate])).toEqual([
      [undefined, true],
      [undefined, true],
    ]);
    expect(apart.calls[0]?.note).toBe('Only one haplotype was reported; the diplotype is not known.');
  });
});

describe('variants and diagnostic implications', () => {
  it('a variant without a value is read as present, with an issue', () => {
    const v = variant('fx-v');
    delete (v as Record<string, unknown>).valueCodeableConcept;
    const findings = read(v);
    expect(findings.variants[0]?.presence).toBe('present');
    expect(issueTexts(findings)).toEqual([
      'Observation/fx-v: Variant has no value; read as present (a reported variant).',
    ]);
  });

  it('pathogenic → a confirmed condition; likely pathogenic twice with pathogenic → likely pathogenic', () => {
    const one = read([variant('fx-v'), diagnostic('fx-d', 'fx-v', 'LA6668-3')]);
    expect(one.variants[0]?.significance).toBe('pathogenic');
    expect(one.conditions).toEqual([
      {
        codes: [],
        text: 'Hereditary antithrombin deficiency',
        verification: 'confirmed',
        clinical: 'active',
        origin: 'unknown',
        sources: [
          { resourceType: 'Observation', id: 'fx-d', shape: 'stu3' },
          { resourceType: 'Observation', id: 'fx-v', shape: 'stu3' },
        ],
      },
    ]);
    const mixed = read([
      variant('fx-v'),
      diagnostic('fx-d1', 'fx-v', 'LA6668-3'),
      diagnostic('fx-d2', 'fx-v', 'LA26332-9'),
    ]);
    expect(mixed.variants[0]?.significance).toBe('likely-pathogenic');
  });

  it('pathogenic and benign for one variant → unknown, flagged; benign alone → no condition', () => {
    const conflict = read([
      variant('fx-v'),
      diagnostic('fx-d1', 'fx-v', 'LA6668-3'),
      diagnostic('fx-d2', 'fx-v', 'LA6675-8'),
    ]);
    expect(conflict.variants[0]?.significance).toBe('unknown');
    expect(issueTexts(conflict)).toContain(
      'Observation/fx-d2: Clinical significance statements for one variant disagree; significance left unknown.',
    );
    const benign = read([variant('fx-v'), diagnostic('fx-d', 'fx-v', 'LA6675-8')]);
    expect(benign.conditions).toEqual([]);
    expect(benign.variants[0]?.significance).toBe('benign');
  });

  it('an implication derived from an absent variant makes no condition', () => {
    const absent = variant('fx-v', {
      valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA9634-2' }] },
    });
    const findings = read([absent, diagnostic('fx-d', 'fx-v', 'LA6668-3')]);
    expect(findings.conditions).toEqual([]);
    expect(findings.variants[0]?.presence).toBe('absent');
  });
});
