import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  createIndicationMatcher,
  type IndicationEntry,
  type IndicationMatcher,
  phraseExpression,
} from '../../../functions/core/engine/indication';
import type { ConditionFinding } from '../../../functions/core/model';
import { PRE_1_1_INDICATIONS } from '../../../functions/core/ruleset/legacy-indications';
import { bundledRuleSet } from '../../support/bundled-rules';

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

const EXAMPLES: [string, ConditionFinding[], string | undefined][] = [
  ['ICD-10 I21.4 (NSTEMI)', [icd('I21.4')], 'acs-pci'],
  [
    'ICD-10-CM Z95.5 coronary stent',
    [condition({ codes: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'Z95.5' }] })],
    'acs-pci',
  ],
  ['ICD-10 I20.0 unstable angina, not I20.9', [icd('I20.0')], 'acs-pci'],
  ['ICD-10 I20.9 is no indication (only I20.0 is listed)', [icd('I20.9')], undefined],
  ['ICD-10 written without the dot', [icd('i214')], 'acs-pci'],
  ['SNOMED acute coronary syndrome', [snomed('394659003')], 'acs-pci'],
  ['text: NSTEMI with coronary stent', [condition({ text: 'NSTEMI with coronary stent' })], 'acs-pci'],
  ['Danish text: blodprop i hjertet', [condition({ text: 'Blodprop i hjertet' })], 'acs-pci'],
  ['ICD-10 I63.9 (cerebral infarction)', [icd('I63.9')], 'neurovascular'],
  ['SNOMED TIA', [snomed('266257000')], 'neurovascular'],
  ['Danish text: apopleksi', [condition({ text: 'Apopleksi' })], 'neurovascular'],
  [
    'code display: transient ischaemic attack',
    [condition({ codes: [{ system: 'urn:local', code: 'x1', display: 'Transient ischaemic attack' }] })],
    'neurovascular',
  ],
  [
    'text: peripheral arterial disease',
    [condition({ text: 'Peripheral arterial disease' })],
    'other-cardiovascular',
  ],
  ['ICD-10 I25.2 (old myocardial infarction)', [icd('I25.2')], 'other-cardiovascular'],
  [
    'whole words only: "PCIs" and "epicardial" are not PCI',
    [condition({ text: 'epicardial PCIs' })],
    undefined,
  ],
];

describe('indication matcher over the bundled rules/indications', () => {
  let indicationFrom: IndicationMatcher;
  beforeAll(async () => {
    indicationFrom = (await bundledRuleSet()).compiled.indicationOf;
  });

  test.each(EXAMPLES)('%s → %s', (_name, conditions, expected) => {
    expect(indicationFrom(conditions)).toBe(expected);
  });

  test('unstable angina is ACS, not stable angina', () => {
    expect(indicationFrom([condition({ text: 'Unstable angina' })])).toBe('acs-pci');
    expect(indicationFrom([condition({ text: 'Stable angina' })])).toBe('other-cardiovascular');
  });

  test('two categories on the problem list are ambiguous: no indication is assumed', () => {
    expect(indicationFrom([icd('I21.0'), icd('I63.5')])).toBeUndefined();
  });

  test('refuted, resolved, negated and family-history records do not count', () => {
    expect(indicationFrom([condition({ text: 'Stroke', verification: 'refuted' })])).toBeUndefined();
    expect(indicationFrom([condition({ text: 'Stroke', verification: 'entered-in-error' })])).toBeUndefined();
    expect(indicationFrom([condition({ text: 'Stroke', clinical: 'resolved' })])).toBeUndefined();
    expect(indicationFrom([condition({ text: 'No stroke' })])).toBeUndefined();
    expect(indicationFrom([condition({ text: 'Family history of myocardial infarction' })])).toBeUndefined();
    expect(indicationFrom([condition({ text: 'Ikke apopleksi' })])).toBeUndefined();
  });

  test('a negation word cancels the text, not the codes', () => {
    expect(indicationFrom([condition({ text: 'no complications', codes: icd('I63.9').codes })])).toBe(
      'neurovascular',
    );
  });

  test('nothing relevant → undefined', () => {
    expect(indicationFrom([icd('E11.9'), condition({ text: 'Type 2 diabetes' })])).toBeUndefined();
    expect(indicationFrom([])).toBeUndefined();
  });

  test('a rule set published before indications were data keeps the vocabulary it was built with', () => {
    const legacy = createIndicationMatcher(PRE_1_1_INDICATIONS.entries, PRE_1_1_INDICATIONS.negation);
    for (const [, conditions, expected] of EXAMPLES) expect(legacy(conditions)).toBe(expected);
  });
});

const entry = (key: string, phrases: string[]): IndicationEntry => ({
  key,
  names: { en: [key] },
  icd10: [],
  snomed: [],
  phrases: { en: phrases },
});

describe('phrase matching', () => {
  // Letters, digits, spaces and every character a regular expression gives a meaning to.
  const phraseChar = fc.constantFrom(...'ab1 .*+?^$()[]{}|\\/-'.split(''));
  const phrase = fc
    .array(phraseChar, { minLength: 1, maxLength: 12 })
    .map((chars) => chars.join('').trim().replace(/\s+/g, ' '))
    .filter((p) => p.length > 0);

  const text = fc
    .tuple(
      fc.array(phraseChar, { maxLength: 10 }),
      phrase,
      fc.array(phraseChar, { maxLength: 10 }),
      fc.boolean(),
    )
    .map(([before, p, after, embed]) =>
      `${before.join('')}${embed ? p : ''}${after.join('')}`.replace(/\s+/g, ' '),
    );

  /** The phrase found literally, with no letter, digit or underscore right before or after it. */
  function literallyFound(phraseText: string, textValue: string): boolean {
    const [needle, haystack] = [phraseText.toLowerCase(), textValue.toLowerCase()];
    const word = /[\p{L}\p{N}_]/u;
    for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      const before = haystack[i - 1] ?? ' ';
      const after = haystack[i + needle.length] ?? ' ';
      if (!word.test(before) && !word.test(after)) return true;
    }
    return false;
  }

  test('regex metacharacters in a phrase mean themselves', () => {
    fc.assert(
      fc.property(phrase, text, (p, t) => {
        const expression = phraseExpression([p]);
        expect(expression).toBeDefined();
        expect(expression!.test(p)).toBe(true);
        expect(expression!.test(t)).toBe(literallyFound(p, t));
      }),
      { numRuns: 500 },
    );
  });

  test('a phrase matches whole words, case-insensitively', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{2,8}$/), fc.stringMatching(/^[a-z]{1,3}$/), (word, extra) => {
        const expression = phraseExpression([word])!;
        expect(expression.test(`The ${word.toUpperCase()} here`)).toBe(true);
        expect(expression.test(`${word}${extra}`)).toBe(false);
        expect(expression.test(`${extra}${word}`)).toBe(false);
      }),
    );
  });

  test('".", "+" and "(" do not act as wildcards or groups', () => {
    const match = createIndicationMatcher([entry('x', ['a.c', 'c++', '(ab)'])], undefined);
    expect(match([condition({ text: 'a.c' })])).toBe('x');
    expect(match([condition({ text: 'abc' })])).toBeUndefined();
    expect(match([condition({ text: 'c++ disease' })])).toBe('x');
    expect(match([condition({ text: 'c disease' })])).toBeUndefined();
    expect(match([condition({ text: 'ab' })])).toBeUndefined();
    expect(match([condition({ text: 'seen (ab) twice' })])).toBe('x');
  });

  test('Danish letters next to a phrase are part of the word', () => {
    const match = createIndicationMatcher([entry('x', ['tci'])], undefined);
    expect(match([condition({ text: 'TCI' })])).toBe('x');
    expect(match([condition({ text: 'øtci' })])).toBeUndefined();
  });

  test('an indication without phrases matches by code only', () => {
    expect(phraseExpression([])).toBeUndefined();
    const match = createIndicationMatcher(
      [{ ...entry('x', []), snomed: [{ code: '1234567', source: 't' }] }],
      undefined,
    );
    expect(match([condition({ text: 'anything' })])).toBeUndefined();
    expect(match([snomed('1234567')])).toBe('x');
  });
});
