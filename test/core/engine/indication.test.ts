import { describe, expect, test } from 'vitest';
import { indicationFrom } from '../../../functions/core/engine/indication';
import type { ConditionFinding } from '../../../functions/core/model';

function condition(partial: Partial<ConditionFinding>): ConditionFinding {
  return {
    codes: [],
    verification: 'confirmed',
    clinical: 'active',
    origin: 'unknown',
    sources: [],
    ...partial,
  };
}
const icd = (code: string) => condition({ codes: [{ system: 'http://hl7.org/fhir/sid/icd-10', code }] });
const snomed = (code: string) => condition({ codes: [{ system: 'http://snomed.info/sct', code }] });

describe('indicationFrom', () => {
  test.each([
    ['ICD-10 I21.4 (NSTEMI)', [icd('I21.4')], 'acs-pci'],
    [
      'ICD-10-CM Z95.5 coronary stent',
      [condition({ codes: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'Z95.5' }] })],
      'acs-pci',
    ],
    ['SNOMED acute coronary syndrome', [snomed('394659003')], 'acs-pci'],
    ['text: NSTEMI with coronary stent', [condition({ text: 'NSTEMI with coronary stent' })], 'acs-pci'],
    ['Danish text: blodprop i hjertet', [condition({ text: 'Blodprop i hjertet' })], 'acs-pci'],
    ['ICD-10 I63.9 (cerebral infarction)', [icd('I63.9')], 'neurovascular'],
    ['SNOMED TIA', [snomed('266257000')], 'neurovascular'],
    ['Danish text: apopleksi', [condition({ text: 'Apopleksi' })], 'neurovascular'],
    [
      'text: peripheral arterial disease',
      [condition({ text: 'Peripheral arterial disease' })],
      'other-cardiovascular',
    ],
  ])('%s → %s', (_name, conditions, expected) => {
    expect(indicationFrom(conditions)).toBe(expected);
  });

  test('unstable angina is ACS, not stable angina', () => {
    expect(indicationFrom([condition({ text: 'Unstable angina' })])).toBe('acs-pci');
  });

  test('two categories on the problem list are ambiguous: no indication is assumed', () => {
    expect(indicationFrom([icd('I21.0'), icd('I63.5')])).toBeUndefined();
  });

  test('refuted, resolved, negated and family-history records do not count', () => {
    expect(indicationFrom([condition({ text: 'Stroke', verification: 'refuted' })])).toBeUndefined();
    expect(indicationFrom([condition({ text: 'Stroke', clinical: 'resolved' })])).toBeUndefined();
    expect(indicationFrom([condition({ text: 'No stroke' })])).toBeUndefined();
    expect(indicationFrom([condition({ text: 'Family history of myocardial infarction' })])).toBeUndefined();
  });

  test('nothing relevant → undefined', () => {
    expect(indicationFrom([icd('E11.9'), condition({ text: 'Type 2 diabetes' })])).toBeUndefined();
    expect(indicationFrom([])).toBeUndefined();
  });
});
