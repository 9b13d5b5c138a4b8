/**
 * The HL7 Genomics Reporting IG 3.0.0 package examples (node_modules/hl7.fhir.uv.genomics-reporting/example):
 * every one is read without throwing, the PGx ones give the expected calls, and each defect found in them is
 * handled deliberately.
 */
import { describe, expect, it } from 'vitest';
import { readFindings } from '../../../functions/core/findings/read-findings';
import { igExample, igExampleNames, issueTexts, onlyCall } from './load';
import { wellFormedProblems } from './well-formed';

describe('every IG example', () => {
  const names = igExampleNames();

  it('is found (the package is installed)', () => {
    expect(names.length).toBeGreaterThan(150);
  });

  it.each(names)('%s is read without throwing into well-formed findings', (file) => {
    const findings = readFindings(igExample(file.replace(/\.json$/, '')));
    expect(wellFormedProblems(findings)).toEqual([]);
  });

  it('all together are read without throwing', () => {
    const findings = readFindings(names.map((n) => igExample(n.replace(/\.json$/, ''))));
    expect(wellFormedProblems(findings)).toEqual([]);
    expect(findings.calls.length).toBeGreaterThan(10);
  });
});

describe('IG PGx examples give the expected calls', () => {
  it('CYP2C19 *2/*2 (Pgx-geno-1001, ClinVar-coded) with its clopidogrel implication', () => {
    const findings = readFindings([igExample('Observation-Pgx-geno-1001'), igExample('Observation-TxImp01')]);
    expect(findings.calls).toEqual([
      {
        gene: 'CYP2C19',
        origin: 'unknown',
        diplotype: '*2/*2',
        reportedPhenotype: 'Poor Metabolizer',
        sources: [
          { resourceType: 'Observation', id: 'Pgx-geno-1001', shape: 'stu3', issued: '2019-04-01' },
          { resourceType: 'Observation', id: 'TxImp01', shape: 'stu3', issued: '2019-04-01' },
        ],
      },
    ]);
  });

  it('CYP2C9 *1/*1 and VKORC1 rs9923231 C/T (text-only genotypes Pgx-geno-1002 / -1003)', () => {
    const findings = readFindings([
      igExample('Observation-Pgx-geno-1002'),
      igExample('Observation-Pgx-geno-1003'),
    ]);
    expect(onlyCall(findings, 'CYP2C9').diplotype).toBe('*1/*1');
    expect(onlyCall(findings, 'VKORC1').diplotype).toBe('C/T');
    expect(findings.issues).toEqual([]);
  });

  it('HLA-B*15:02 (GenotypeExample1: one allele coded as ClinVar) is a positive allele test, not a genotype', () => {
    const findings = readFindings([
      igExample('Observation-GenotypeExample1'),
      igExample('Observation-TherapeuticImplicationExample1'),
      igExample('DiagnosticReport-GenomicReportExample01'),
    ]);
    const call = onlyCall(findings, 'HLA-B');
    expect(call.alleleTests).toEqual({ '*15:02': 'positive' });
    expect(call.hla).toBeUndefined();
    expect(call.reportedPhenotype).toBeUndefined();
    expect(call.note).toContain('Carbamazepine: High risk');
    expect(call.sources.map((s) => s.id)).toEqual(['GenotypeExample1', 'TherapeuticImplicationExample1']);
  });

  it('CYP2D6 *7/*1 from the PharmVar genotype and its two haplotypes: one call', () => {
    const findings = readFindings([
      igExample('Observation-GenotypeExamplePharmVar'),
      igExample('Observation-HaplotypeExamplePharmVar01'),
      igExample('Observation-HaplotypeExamplePharmVar02'),
    ]);
    expect(findings.calls).toHaveLength(1);
    const call = onlyCall(findings, 'CYP2D6');
    expect(call.diplotype).toBe('*7/*1');
    expect(call.sources.map((s) => s.id)).toEqual([
      'GenotypeExamplePharmVar',
      'HaplotypeExamplePharmVar01',
      'HaplotypeExamplePharmVar02',
    ]);
    expect(findings.issues).toEqual([]);
  });

  it('CYP2D6 *7/*1 from the two PharmVar haplotypes alone (paired by their shared specimen)', () => {
    const findings = readFindings([
      igExample('Observation-HaplotypeExamplePharmVar01'),
      igExample('Observation-HaplotypeExamplePharmVar02'),
    ]);
    expect(findings.calls).toHaveLength(1);
    expect(onlyCall(findings, 'CYP2D6').diplotype).toBe('*7/*1');
  });

  it('HLA-B*57:01 carrier from the GL String of the HLA full bundle', () => {
    const findings = readFindings(igExample('Bundle-bundle-CG-IG-HLA-FullBundle-01'));
    const call = onlyCall(findings, 'HLA-B');
    expect(call.hla).toEqual({ copies: [['*15:01:01G'], ['*57:01:01G']] });
    expect(call.indeterminate).toBeUndefined();
    expect(call.sources[0]).toEqual({
      resourceType: 'Observation',
      id: 'CG-IG-HLA-FullBundle-01-19',
      shape: 'stu3',
      issued: '2016-12-15',
      performer: 'aTypingLab, Inc',
    });
    expect(findings.calls.map((c) => c.gene)).toEqual(['HLA-A', 'HLA-B', 'HLA-C']);
  });

  it('HLA-A GL String genotype example', () => {
    const findings = readFindings(igExample('Observation-genotype-hla-a-glstring-r4'));
    expect(onlyCall(findings, 'HLA-A').hla).toEqual({ copies: [['*03:01:01:01'], ['*30:01:01']] });
  });

  it('warfarin: one implication derived from the CYP2C9 and VKORC1 genotypes goes to CYP2C9 (a metabolizer phenotype)', () => {
    const findings = readFindings([
      igExample('Observation-Pgx-geno-1002'),
      igExample('Observation-Pgx-geno-1003'),
      igExample('Observation-TxImp06'),
    ]);
    expect(onlyCall(findings, 'CYP2C9').reportedPhenotype).toBe('Normal Metabolizer');
    expect(onlyCall(findings, 'VKORC1').reportedPhenotype).toBeUndefined();
  });

  it('the eMERGE report: five implications join the CYP2C19 genotype', () => {
    const files = [
      'DiagnosticReport-PGxGenomicReportEMERGE',
      'Observation-Pgx-geno-1001',
      'Observation-Pgx-geno-1002',
      'Observation-Pgx-geno-1003',
      ...['1', '2', '3', '4', '5', '6'].map((n) => `Observation-TxImp0${n}`),
    ];
    const findings = readFindings(files.map(igExample));
    const call = onlyCall(findings, 'CYP2C19');
    expect(call.sources).toHaveLength(6);
    expect(call.sources.every((s) => s.issued === '2019-04-01')).toBe(true);
    expect(findings.calls.map((c) => c.gene)).toEqual(['CYP2C19', 'CYP2C9', 'VKORC1']);
  });
});

describe('known defects in the IG examples are handled deliberately', () => {
  it('Pgx-var-1011: gene HGNC:262 with display CYP2C19 → the symbol is used, with a warning', () => {
    const findings = readFindings(igExample('Observation-Pgx-var-1011'));
    expect(findings.variants[0]?.gene).toBe('CYP2C19');
    expect(issueTexts(findings)).toContain(
      'Observation/Pgx-var-1011: HGNC id does not match the gene symbol given with it (known IG example typo); the symbol was used.',
    );
  });

  it('Pgx-var-1011..1021: reference (wild-type, ref = alt) calls valued "Present" are read as absent', () => {
    const findings = readFindings([
      igExample('Observation-Pgx-var-1012'),
      igExample('Observation-Pgx-var-1015'),
    ]);
    const [wildType, real] = findings.variants;
    expect(wildType).toMatchObject({
      gene: 'CYP2C19',
      presence: 'absent',
      ids: ['NC_000010.10:g.96522463A='],
    });
    expect(real).toMatchObject({
      presence: 'present',
      zygosity: 'homozygous',
      origin: 'germline',
      hgvs: { g: 'NC_000010.10:g.96540410G>A' },
    });
    expect(issueTexts(findings)).toEqual([
      'Observation/Pgx-var-1012: Reference (wild-type) call recorded as a present variant (IG example style); read as absent.',
    ]);
  });

  it('HLA bundle: HLA-A GL String "HLA-A:01:01G" (no "*") is malformed → the genotype\'s two haplotypes are used', () => {
    const findings = readFindings(igExample('Bundle-bundle-CG-IG-HLA-FullBundle-01'));
    const call = onlyCall(findings, 'HLA-A');
    expect(call.hla).toEqual({ copies: [['*01:01:01G'], ['*01:02']] });
    expect(call.indeterminate).toBeUndefined();
    expect(issueTexts(findings)).toContain(
      'Observation/CG-IG-HLA-FullBundle-01-12: GL String has a malformed allele name (IG example defect); its haplotypes were used.',
    );
  });

  it('HLA bundle: HLA-C haplotype -25 says *01:02:01G where the genotype says *03:04:01G → the genotype wins, flagged', () => {
    const findings = readFindings(igExample('Bundle-bundle-CG-IG-HLA-FullBundle-01'));
    const call = onlyCall(findings, 'HLA-C');
    expect(call.hla).toEqual({ copies: [['*01:02:01G'], ['*03:04:01G']] });
    expect(call.note).toContain('disagree');
    expect(issueTexts(findings)).toContain(
      'Observation/CG-IG-HLA-FullBundle-01-26: Genotype and the haplotypes it was derived from disagree; the genotype value was used.',
    );
  });

  it('bundle-cgexample: a genotype with two gene components (CYP2C9, VKORC1) → the gene its value names', () => {
    const findings = readFindings(igExample('Bundle-bundle-cgexample'));
    const call = onlyCall(findings, 'CYP2C9');
    expect(call.diplotype).toBe('*2/*5');
    expect(findings.calls.some((c) => c.gene === 'VKORC1')).toBe(false);
    // Its haplotype "*2" is coded in the IMGT/HLA system without a gene: taken into the genotype, never read as HLA.
    expect(findings.calls.some((c) => c.gene.startsWith('HLA-'))).toBe(false);
    expect(issueTexts(findings)).toContain(
      'Observation/genotype: Genotype names several genes; the one its value names was used.',
    );
  });

  it('bundle-cgexample: metabolizer, efficacy and risk implications of one genotype → one phenotype, the rest as notes', () => {
    const call = onlyCall(readFindings(igExample('Bundle-bundle-cgexample')), 'CYP2C9');
    expect(call.reportedPhenotype).toBe('Rapid Metabolizer');
    expect(call.note).toContain('Warfarin: Resistant');
    expect(call.note).toContain('Warfarin: Low risk');
    expect(call.sources.map((s) => s.id)).toEqual(['genotype', 'haplotype', 'metab', 'efficacy', 'highrisk']);
  });

  it('bundle-cgexample: the pathogenic ACAD9 implication → a ConditionFinding and significance on the variant', () => {
    const findings = readFindings(igExample('Bundle-bundle-cgexample'));
    const acad9 = findings.variants.find((v) => v.gene === 'ACAD9');
    expect(acad9).toMatchObject({
      significance: 'pathogenic',
      zygosity: 'heterozygous',
      origin: 'germline',
      hgvs: { c: 'NM_014049.4:c.1249C>T' },
    });
    expect(acad9?.ids).toEqual(expect.arrayContaining(['clinvar:30880', 'rs368949613']));
    expect(findings.conditions).toContainEqual(
      expect.objectContaining({
        codes: [
          {
            system: 'http://purl.obolibrary.org/obo/mondo.owl',
            code: 'MONDO:0012624',
            display: 'acyl-CoA dehydrogenase 9 deficiency',
          },
        ],
        verification: 'confirmed',
        clinical: 'active',
        origin: 'germline',
      }),
    );
  });

  it('bundle-cgexample: complex-variant members without a gene component take it from the ClinVar name "(CYP2D6)"', () => {
    const findings = readFindings(igExample('Bundle-bundle-cgexample'));
    const members = findings.variants.filter((v) => v.sources[0]?.id?.startsWith('complex-component'));
    expect(members.map((v) => v.gene)).toEqual(['CYP2D6', 'CYP2D6']);
  });

  it('FindSubjectDxImplicationsOutput: derivedFrom "VariantExample2" vs id "variantExample2" → followed, flagged', () => {
    const findings = readFindings(igExample('Parameters-FindSubjectDxImplicationsOutput'));
    expect(findings.variants[0]?.significance).toBe('pathogenic');
    expect(findings.conditions[0]).toMatchObject({ text: 'Malignant hyperthermia', origin: 'germline' });
    expect(issueTexts(findings)).toContain(
      'Observation/DiagnosticImplicationExample: A reference matched a resource id only when case was ignored; it was followed.',
    );
  });

  it('FindSubjectHaplotypesOutput: PharmVar code "CYP2D6_*1/*1" with an underscore', () => {
    const findings = readFindings(igExample('Parameters-FindSubjectHaplotypesOutput'));
    expect(onlyCall(findings, 'CYP2D6').diplotype).toBe('*1/*1');
    expect(onlyCall(findings, 'CYP2C19').diplotype).toBe('*1/*2');
  });

  it('FindSubjectSpecificHaplotypesOutput: GL String with "|" genotype alternatives → union per copy, noted', () => {
    const call = onlyCall(readFindings(igExample('Parameters-FindSubjectSpecificHaplotypesOutput')), 'HLA-A');
    expect(call.hla).toEqual({
      copies: [
        ['*02:69', '*02:302'],
        ['*23:30', '*23:26', '*23:39'],
      ],
    });
    expect(call.note).toContain('alternative genotypes');
  });

  it('bundle-pgxexample: its placeholder phenotype (CYP2C9 "Rapid metabolizer") is passed on as reported', () => {
    const call = onlyCall(readFindings(igExample('Bundle-bundle-pgxexample')), 'CYP2C9');
    expect(call.diplotype).toBe('*4/*35B');
    expect(call.reportedPhenotype).toBe('Rapid Metabolizer');
  });

  it('somatic report: HLA haplotypes coded "A*24:02" (no HLA- prefix) are paired by their report', () => {
    const findings = readFindings([
      igExample('DiagnosticReport-somaticReport'),
      igExample('Observation-HLA-A-haplotype1'),
      igExample('Observation-HLA-A-haplotype2'),
    ]);
    expect(onlyCall(findings, 'HLA-A').hla).toEqual({ copies: [['*24:02'], ['*02:06']] });
  });

  it('a single HLA haplotype alone is a positive allele test with the other copy unknown', () => {
    const call = onlyCall(readFindings(igExample('Observation-HLA-A-haplotype1')), 'HLA-A');
    expect(call.alleleTests).toEqual({ '*24:02': 'positive' });
    expect(call.hla).toBeUndefined();
  });

  it('somatic oncology examples give somatic variants and no germline calls', () => {
    const findings = readFindings(igExample('Bundle-bundle-oncology-report-example'));
    expect(findings.variants.length).toBeGreaterThan(5);
    expect(findings.variants.every((v) => v.origin === 'somatic')).toBe(true);
    expect(findings.calls).toEqual([]);
  });
});
