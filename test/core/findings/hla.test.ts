import { describe, expect, it } from 'vitest';
import { normaliseHlaAllele, parseGlString, twoField } from '../../../functions/core/findings/hla';

describe('normaliseHlaAllele', () => {
  it.each([
    ['HLA-B*57:01:01G', 'HLA-B', '*57:01:01G'],
    ['HLA-B*57:01', 'HLA-B', '*57:01'],
    ['B*57:01', 'HLA-B', '*57:01'],
    ['HLA-B*5701', 'HLA-B', '*57:01'],
    ['HLA-A*03:01:01:01', 'HLA-A', '*03:01:01:01'],
    ['HLA-DRB1*15:01', 'HLA-DRB1', '*15:01'],
  ])('%s → %s %s', (text, locus, name) => {
    expect(normaliseHlaAllele(text)).toEqual({ locus, name, code: false });
  });

  it('keeps a name given without locus', () => {
    expect(normaliseHlaAllele('*15:02')).toEqual({ name: '*15:02', code: false });
  });

  it('flags an NMDP allele code it cannot expand', () => {
    expect(normaliseHlaAllele('HLA-B*57:AB')?.code).toBe(true);
  });

  it.each(['HLA-A:01:01G', 'HGG00041', '*2', 'HLA-B 57:01', 'positive'])('refuses %s', (text) => {
    expect(normaliseHlaAllele(text)).toBeUndefined();
  });

  it('truncates to two fields for allele tests', () => {
    expect(twoField('*57:01:01G')).toBe('*57:01');
    expect(twoField('*57:01')).toBe('*57:01');
    expect(twoField('*27')).toBe('*27');
  });
});

describe('parseGlString', () => {
  it('reads the two copies of a genotype (+), without the locus prefix', () => {
    expect(parseGlString('hla#3.23.0#HLA-B*15:01:01G+HLA-B*57:01:01G')).toEqual({
      loci: [
        {
          locus: 'HLA-B',
          copies: [['*15:01:01G'], ['*57:01:01G']],
          genotypeAmbiguity: false,
          hasCode: false,
        },
      ],
      malformed: 0,
      malformedLoci: [],
    });
  });

  it('keeps "/" alternatives inside one copy', () => {
    const parsed = parseGlString('hla#3.23.0#HLA-B*57:01/HLA-B*57:03+HLA-B*08:01');
    expect(parsed.loci[0]?.copies).toEqual([['*57:01', '*57:03'], ['*08:01']]);
  });

  it('splits loci at "^"', () => {
    const parsed = parseGlString('HLA-A*01:01:01G+HLA-A*01:02^HLA-B*15:01:01G+HLA-B*57:01:01G');
    expect(parsed.loci.map((l) => [l.locus, l.copies])).toEqual([
      ['HLA-A', [['*01:01:01G'], ['*01:02']]],
      ['HLA-B', [['*15:01:01G'], ['*57:01:01G']]],
    ]);
  });

  it('treats "|" genotype alternatives as ambiguity: the union per copy', () => {
    const parsed = parseGlString('hla#3.33.0#HLA-A*02:69+HLA-A*23:30|HLA-A*02:302+HLA-A*23:26/HLA-A*23:39');
    expect(parsed.loci[0]).toEqual({
      locus: 'HLA-A',
      copies: [
        ['*02:69', '*02:302'],
        ['*23:30', '*23:26', '*23:39'],
      ],
      genotypeAmbiguity: true,
      hasCode: false,
    });
  });

  it('collapses "|" alternatives that are one genotype written in two orders', () => {
    const parsed = parseGlString('HLA-B*57:01+HLA-B*08:01|HLA-B*08:01+HLA-B*57:01');
    expect(parsed.loci[0]?.genotypeAmbiguity).toBe(false);
    expect(parsed.loci[0]?.copies).toEqual([['*57:01'], ['*08:01']]);
  });

  it('reads "~" haplotypes across loci into each locus', () => {
    const parsed = parseGlString('HLA-A*01:01~HLA-B*08:01+HLA-A*02:01~HLA-B*07:02');
    expect(parsed.loci.map((l) => [l.locus, l.copies])).toEqual([
      ['HLA-A', [['*01:01'], ['*02:01']]],
      ['HLA-B', [['*08:01'], ['*07:02']]],
    ]);
  });

  it('reports a malformed allele name and its locus (IG HLA bundle defect "HLA-A:01:01G")', () => {
    const parsed = parseGlString('hla#3.23.0#HLA-A:01:01G+HLA-A*01:02');
    expect(parsed.malformed).toBe(1);
    expect(parsed.malformedLoci).toEqual(['HLA-A']);
  });

  it('reads a one-copy string as one copy (reference-server "/" for "+")', () => {
    expect(parseGlString('hla#3.33.0#HLA-B*08:01/HLA-B*40:01').loci[0]?.copies).toEqual([
      ['*08:01', '*40:01'],
    ]);
  });

  it('never throws on nonsense', () => {
    for (const s of ['', '^^^', '+|/~', 'hla##', '#'.repeat(6000)])
      expect(() => parseGlString(s)).not.toThrow();
  });
});

describe('HLA names are not confused with star alleles', () => {
  it.each(['CYP2C19*17', 'CYP2C19 *17', 'C19*17', 'CYP2D6*4'])('%s is not an HLA allele', (text) => {
    expect(normaliseHlaAllele(text)).toBeUndefined();
  });
});
