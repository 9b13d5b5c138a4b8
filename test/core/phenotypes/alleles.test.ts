import { describe, expect, test } from 'vitest';
import {
  cleanAlleleToken,
  compileTable,
  formatScore,
  resolveCopy,
} from '../../../functions/core/phenotypes/alleles';
import { loadTables } from './load-tables';

const tables = loadTables();

describe('formatScore', () => {
  test.each([
    [2, false, '2.0'],
    [1.5, false, '1.5'],
    [0.25, false, '0.25'],
    [0, false, '0.0'],
    [3, true, '≥3.0'],
    [3.75, true, '≥3.75'],
  ])('%d (≥ %s) → %s', (score, atLeast, text) => {
    expect(formatScore(score, atLeast)).toBe(text);
  });
});

describe('cleanAlleleToken', () => {
  test.each([
    ['CYP2D6*4', 'CYP2D6', '*4'],
    ['NM_000110.4:c.1905+1G>A', 'DPYD', 'c.1905+1G>A'],
    ['p.(Arg614Cys)', 'RYR1', 'p.Arg614Cys'],
    ['MT-RNR1 m.1555A>G', 'MT-RNR1', 'm.1555A>G'],
    ['*1x>=3', 'CYP2D6', '*1x≥3'],
  ])('%s', (raw, gene, clean) => {
    expect(cleanAlleleToken(raw, gene)).toBe(clean);
  });
});

describe('resolveCopy', () => {
  const cyp2d6 = compileTable(tables.get('CYP2D6')!);

  test('copy numbers multiply, tandems add, unknown parts stay unknown', () => {
    expect(resolveCopy(cyp2d6, '*2x2')).toMatchObject({ label: '*2x2', known: true, value: 2 });
    expect(resolveCopy(cyp2d6, '*41x3')).toMatchObject({ value: 0.75 });
    expect(resolveCopy(cyp2d6, '*1xN')).toMatchObject({ label: '*1xN', value: 2, atLeast: true });
    expect(resolveCopy(cyp2d6, '*13+*2')).toMatchObject({ label: '*13+*2', value: 1 });
    expect(resolveCopy(cyp2d6, '*13+*999')).toMatchObject({ known: false });
    expect(resolveCopy(cyp2d6, '*22x2')).toMatchObject({ known: true, value: null });
  });

  test('function tables do not read copy numbers', () => {
    expect(resolveCopy(compileTable(tables.get('CYP2C19')!), '*17x2')).toMatchObject({ known: false });
  });
});
