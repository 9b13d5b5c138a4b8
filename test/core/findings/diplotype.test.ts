import { describe, expect, it } from 'vitest';
import { normaliseAlleleText, normaliseDiplotypeText } from '../../../functions/core/findings/diplotype';

describe('normaliseDiplotypeText', () => {
  it.each([
    // gene prefix and spaces
    ['CYP2C19', 'CYP2C19 *1/*17', '*1/*17'],
    ['CYP2C19', 'CYP2C19*2/*2', '*2/*2'],
    ['CYP2C19', '*1 / *17', '*1/*17'],
    ['CYP2D6', 'CYP2D6_*1/*1', '*1/*1'],
    ['CYP2C9', 'cyp2c9 *1/*3', '*1/*3'],
    // sub-alleles reduced to the core allele, order kept
    ['CYP2D6', 'CYP2D6*7.001 / CYP2D6*1.001', '*7/*1'],
    ['CYP2C9', 'CYP2C9 *4/*35B', '*4/*35B'],
    // copy numbers
    ['CYP2D6', '*1x2/*4', '*1x2/*4'],
    ['CYP2D6', '*1/*2x≥3', '*1/*2x≥3'],
    ['CYP2D6', '*1/*2x>=3', '*1/*2x≥3'],
    ['CYP2D6', '*1/*2≥3', '*1/*2x≥3'],
    ['CYP2D6', '*1/*2>=3', '*1/*2x≥3'],
    ['CYP2D6', '*1X3/*4', '*1x3/*4'],
    ['CYP2D6', '*2xN/*41', '*2xN/*41'],
    ['CYP2D6', 'CYP2D6 *1 x2 / *4', '*1x2/*4'],
    ['CYP2D6', '*4N/*1', '*4N/*1'],
    // PharmVar ids pass through
    ['CYP2D6', 'PV00155/PV00126', 'PV00155/PV00126'],
    // named alleles without a star
    ['DPYD', 'Reference/c.2846A>T', 'Reference/c.2846A>T'],
    ['G6PD', 'B/A-', 'B/A-'],
    ['MT-RNR1', 'm.1555A>G', 'm.1555A>G'],
    // VKORC1: rs9923231 on the plus strand
    ['VKORC1', 'VKORC1 rs9923231 C/T', 'C/T'],
    ['VKORC1', 'rs9923231 T/T', 'T/T'],
    ['VKORC1', 'CT', 'C/T'],
    ['VKORC1', 'C/C', 'C/C'],
    ['VKORC1', '-1639G>A G/A', 'C/T'],
    ['VKORC1', 'VKORC1 -1639 A/A', 'T/T'],
    ['VKORC1', 'c.-1639 GG', 'C/C'],
    // HLA written as a pair (not a GL String)
    ['HLA-B', 'HLA-B*57:01/HLA-B*08:01', '*57:01/*08:01'],
    ['HLA-B', '*57:01:01G/*44:02', '*57:01:01G/*44:02'],
  ])('%s %s → %s', (gene, text, expected) => {
    expect(normaliseDiplotypeText(gene, text)).toBe(expected);
  });

  it.each([
    ['CYP2C19', 'CYP2D6*1/*4', 'a prefix naming another gene'],
    ['CYP2C19', '*1', 'one allele of a diploid gene'],
    ['CYP2C19', '*1/*2/*3', 'three alleles'],
    ['CYP2C19', '*1/*2 (see comment)', 'a remark inside an allele'],
    ['CYP2C19', 'Positive/Negative', 'result words'],
    ['CYP2C19', 'see report/PDF', 'a sentence'],
    ['CYP2C19', '', 'empty text'],
    ['VKORC1', '-1639 C/T', 'gene-strand text with plus-strand bases'],
    ['VKORC1', 'rs9923231', 'an rs id without a genotype'],
    ['HLA-B', 'HLA-A*01:01/HLA-A*02:01', 'the wrong locus'],
  ])('%s %s is not read (%s)', (gene, text) => {
    expect(normaliseDiplotypeText(gene, text)).toBeUndefined();
  });
});

describe('normaliseAlleleText', () => {
  it.each([
    ['CYP2D6', 'CYP2D6*7.001', '*7'],
    ['CYP2D6', 'PV00155', 'PV00155'],
    ['CYP2C9', 'CYP2C9 *35B', '*35B'],
    ['HLA-B', 'HLA-B*57:01:01G', '*57:01:01G'],
    ['HLA-A', 'A*24:02', '*24:02'],
  ])('%s %s → %s', (gene, text, expected) => {
    expect(normaliseAlleleText(gene, text)).toBe(expected);
  });

  it('refuses a diplotype as an allele', () => {
    expect(normaliseAlleleText('CYP2D6', '*1/*4')).toBeUndefined();
  });
});
