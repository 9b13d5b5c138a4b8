import { describe, expect, test } from 'vitest';
import { canonicalPhenotype, parseActivityScore } from '../../../functions/core/phenotypes/phenotype-text';

describe('canonicalPhenotype', () => {
  test.each([
    ['CYP2C19', 'CYP2C19 Rapid Metabolizer', 'Rapid Metabolizer'],
    ['CYP2C19', 'Poor metabolizer', 'Poor Metabolizer'],
    ['CYP2C19', 'Poor Metaboliser', 'Poor Metabolizer'],
    ['CYP2D6', 'CYP2D6: ultra-rapid metabolizer', 'Ultrarapid Metabolizer'],
    ['CYP2D6', 'Extensive metabolizer', 'Normal Metabolizer'],
    ['CYP2C19', 'IM', 'Intermediate Metabolizer'],
    ['G6PD', 'G6PD Deficient', 'Deficient'],
    ['SLCO1B1', 'decreased function.', 'Decreased Function'],
  ])('%s: %s → %s', (gene, text, expected) => {
    expect(canonicalPhenotype(text, gene)).toBe(expected);
  });

  test("a table's own phenotype wording is recognised", () => {
    const known = new Map([['-1639 ag', '-1639 AG']]);
    expect(canonicalPhenotype('-1639 AG', 'VKORC1', known)).toBe('-1639 AG');
  });

  test('text that matches nothing is not guessed', () => {
    expect(canonicalPhenotype('see interpretation', 'CYP2C19')).toBeUndefined();
    expect(canonicalPhenotype('   ', 'CYP2C19')).toBeUndefined();
  });
});

describe('parseActivityScore', () => {
  test.each([
    ['1.5', { value: 1.5, atLeast: false }],
    ['AS 1,25', { value: 1.25, atLeast: false }],
    ['≥3', { value: 3, atLeast: true }],
    ['>=3.0', { value: 3, atLeast: true }],
  ])('%s', (text, expected) => {
    expect(parseActivityScore(text)).toEqual(expected);
  });

  test('non-scores are rejected', () => {
    expect(parseActivityScore('high')).toBeUndefined();
    expect(parseActivityScore('> 2.25')).toBeUndefined();
  });
});
