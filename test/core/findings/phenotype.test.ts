import { describe, expect, it } from 'vitest';
import { phenotypeFromConcept, phenotypeFromText } from '../../../functions/core/findings/phenotype';

describe('phenotypeFromText: lab wording → CPIC wording', () => {
  it.each([
    ['Poor metabolizer', 'Poor Metabolizer'],
    ['Poor Metaboliser', 'Poor Metabolizer'],
    ['CYP2C19 Rapid Metabolizer', 'Rapid Metabolizer'],
    ['ultra-rapid metabolizer', 'Ultrarapid Metabolizer'],
    ['Extensive metabolizer', 'Normal Metabolizer'],
    ['likely intermediate metabolizer', 'Likely Intermediate Metabolizer'],
    ['SLCO1B1 Decreased Function', 'Decreased Function'],
    ['Malignant Hyperthermia Susceptibility', 'Malignant Hyperthermia Susceptible'],
    ['G6PD Deficient', 'Deficient'],
    ['Indeterminate', 'Indeterminate'],
  ])('%s → %s', (text, phenotype) => {
    expect(phenotypeFromText(text).phenotype).toBe(phenotype);
  });

  it('takes the gene in front and an activity score out', () => {
    expect(phenotypeFromText('CYP2D6 Normal Metabolizer (activity score 1.5)')).toEqual({
      gene: 'CYP2D6',
      activityScore: '1.5',
      phenotype: 'Normal Metabolizer',
      kind: 'metabolizer',
    });
    expect(phenotypeFromText('Intermediate metabolizer, AS: 1').activityScore).toBe('1');
  });

  it('keeps drug-level answers apart from gene phenotypes', () => {
    expect(phenotypeFromText('High risk')).toEqual({ drugLevel: 'High risk' });
    expect(phenotypeFromText('Resistant')).toEqual({ drugLevel: 'Resistant' });
  });

  it('says when it does not recognise a text', () => {
    expect(phenotypeFromText('cancer sensitive to something')).toEqual({
      unrecognised: 'cancer sensitive to something',
    });
  });
});

describe('phenotypeFromConcept: LOINC answers first', () => {
  it.each([
    ['LA10315-2', 'Ultrarapid Metabolizer'],
    ['LA25390-8', 'Rapid Metabolizer'],
    ['LA25391-6', 'Normal Metabolizer'],
    ['LA10317-8', 'Intermediate Metabolizer'],
    ['LA9657-3', 'Poor Metabolizer'],
    ['LA25392-4', 'Increased Function'],
    ['LA25393-2', 'Normal Function'],
    ['LA25395-7', 'Decreased Function'],
    ['LA25394-0', 'Poor Function'],
  ])('%s → %s', (code, phenotype) => {
    expect(
      phenotypeFromConcept({ coding: [{ system: 'http://loinc.org', code, display: 'anything' }] }).phenotype,
    ).toBe(phenotype);
  });

  it('high / low risk answers are drug-level', () => {
    expect(phenotypeFromConcept({ coding: [{ system: 'http://loinc.org', code: 'LA19541-4' }] })).toEqual({
      drugLevel: 'High risk',
    });
  });

  it('falls back to the text of a concept without codes', () => {
    expect(phenotypeFromConcept({ text: 'CYP2C19 Poor Metabolizer' }).phenotype).toBe('Poor Metabolizer');
  });
});
