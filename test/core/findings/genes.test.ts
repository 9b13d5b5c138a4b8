import { describe, expect, it } from 'vitest';
import { geneFromConcept, HGNC_SYMBOLS, leadingGene } from '../../../functions/core/findings/genes';

describe('geneFromConcept: HGNC ids in every form', () => {
  it.each([
    ['http://www.genenames.org', 'HGNC:2621'],
    ['http://www.genenames.org/geneId', 'HGNC:2621'],
    ['https://www.genenames.org/geneId', 'HGNC:2621'],
    ['http://www.genenames.org/geneId', '2621'],
    ['http://www.genenames.org', '2621'],
    ['urn:oid:2.16.840.1.113883.6.281', '2621'],
    [undefined, 'HGNC:2621'],
    ['http://example.org/any', 'hgnc:2621'],
  ])('%s | %s → CYP2C19', (system, code) => {
    expect(geneFromConcept({ coding: [{ system, code }] })).toEqual({ gene: 'CYP2C19' });
  });

  it('matches the symbol in display or text when there is no id', () => {
    expect(geneFromConcept({ coding: [{ display: 'cyp2d6' }] }).gene).toBe('CYP2D6');
    expect(geneFromConcept({ text: 'VKORC1' }).gene).toBe('VKORC1');
    expect(geneFromConcept({ coding: [{ code: 'MT-RNR1' }] }).gene).toBe('MT-RNR1');
  });

  it('keeps a gene outside our table by its display', () => {
    expect(
      geneFromConcept({
        coding: [{ system: 'http://www.genenames.org', code: 'HGNC:21497', display: 'ACAD9' }],
      }),
    ).toEqual({
      gene: 'ACAD9',
    });
  });

  it('uses the symbol when an unknown id comes with a known symbol (IG example typo HGNC:262 for CYP2C19)', () => {
    expect(
      geneFromConcept({
        coding: [{ system: 'http://www.genenames.org', code: 'HGNC:262', display: 'CYP2C19' }],
      }),
    ).toEqual({
      gene: 'CYP2C19',
      problem: 'id-display-mismatch',
    });
  });

  it('refuses an id and a display naming two different known genes', () => {
    expect(
      geneFromConcept({
        coding: [{ system: 'http://www.genenames.org', code: 'HGNC:2621', display: 'CYP2C9' }],
      }),
    ).toEqual({
      problem: 'conflict',
    });
  });

  it('has the syndrome genes by id', () => {
    const symbols = new Set(Object.values(HGNC_SYMBOLS));
    for (const g of [
      'SERPINC1',
      'PROC',
      'PROS1',
      'F5',
      'F2',
      'ADAMTS13',
      'ITGA2B',
      'ITGB3',
      'GP1BA',
      'GP1BB',
      'GP9',
      'VWF',
      'ENG',
      'ACVRL1',
      'SMAD4',
    ]) {
      expect(symbols.has(g)).toBe(true);
    }
    expect(geneFromConcept({ coding: [{ system: 'http://www.genenames.org', code: 'HGNC:775' }] }).gene).toBe(
      'SERPINC1',
    );
  });

  it('finds a leading gene symbol in text', () => {
    expect(leadingGene('CYP2C19 *1/*17')).toBe('CYP2C19');
    expect(leadingGene('HLA-B*57:01 positive')).toBe('HLA-B');
    expect(leadingGene('CYP4F2 *1/*3')).toBe('CYP4F2');
    expect(leadingGene('*1/*17')).toBeUndefined();
  });
});
