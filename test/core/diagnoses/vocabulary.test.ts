import { describe, expect, it } from 'vitest';
import {
  createDiagnosisVocabulary,
  type DiagnosisEntry,
  matchDiagnosis,
  validateDiagnosisEntry,
} from '../../../functions/core/diagnoses/vocabulary';
import type { ConditionFinding } from '../../../functions/core/model';

const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';

const entries: DiagnosisEntry[] = [
  {
    key: 'von-willebrand-disease-type-2b',
    names: { en: ['von Willebrand disease type 2B', 'VWD type 2B'], da: ['von Willebrands sygdom type 2B'] },
    genes: ['VWF'],
    inheritance: 'autosomal-dominant',
    codes: [{ system: ICD10CM, code: 'D68.021', source: 'test' }],
  },
  {
    key: 'von-willebrand-disease',
    names: { en: ['von Willebrand disease'] },
    codes: [],
  },
  {
    key: 'hereditary-hemorrhagic-telangiectasia',
    names: {
      en: ['Hereditary haemorrhagic telangiectasia', 'HHT'],
      da: ['Arvelig hæmoragisk telangiektasi'],
    },
    inheritance: 'autosomal-dominant',
    codes: [
      { system: ICD10, code: 'I78.0', source: 'test' },
      { system: 'http://www.orpha.net', code: 'ORPHA:774', source: 'test' },
    ],
  },
  {
    key: 'glanzmann-thrombasthenia',
    names: { en: ['Glanzmann thrombasthenia'], da: ['Glanzmanns trombasteni'] },
    inheritance: 'autosomal-recessive',
    codes: [],
  },
  {
    key: 'factor-v-leiden-thrombophilia',
    names: { en: ['Factor V Leiden', 'Activated protein C resistance'], da: ['APC-resistens'] },
    inheritance: 'autosomal-dominant',
    codes: [
      { system: ICD10CM, code: 'D68.51', source: 'test' },
      { system: 'http://purl.obolibrary.org/obo/mondo.owl', code: 'MONDO:0008560', source: 'test' },
    ],
  },
];

const vocabulary = createDiagnosisVocabulary(entries);

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

describe('validateDiagnosisEntry', () => {
  it('accepts a well-formed entry', () => {
    const result = validateDiagnosisEntry(entries[0]);
    expect(result.errors).toEqual([]);
    expect(result.entry?.key).toBe('von-willebrand-disease-type-2b');
  });

  it('reports schema problems with their place', () => {
    const result = validateDiagnosisEntry({ key: 'Bad Key', names: { en: [] }, codes: [] });
    expect(result.entry).toBeUndefined();
    expect(result.errors.join('\n')).toMatch(/\/key/);
    expect(result.errors.join('\n')).toMatch(/\/names\/en/);
  });

  it('rejects a code without its source and an unknown property', () => {
    const result = validateDiagnosisEntry({
      key: 'x-y',
      names: { en: ['Xyz'] },
      codes: [{ system: ICD10, code: 'I78.0' }],
      extra: true,
    });
    expect(result.entry).toBeUndefined();
    expect(result.errors.some((e) => e.includes('source'))).toBe(true);
    expect(result.errors.some((e) => e.includes('"extra"'))).toBe(true);
  });

  it('rejects the same code listed twice, even written differently', () => {
    const result = validateDiagnosisEntry({
      key: 'x-y',
      names: { en: ['Xyz'] },
      codes: [
        { system: ICD10, code: 'I78.0', source: 'first' },
        { system: 'https://hl7.org/fhir/sid/icd-10/', code: 'I780', source: 'second' },
      ],
    });
    expect(result.entry).toBeUndefined();
    expect(result.errors[0]).toMatch(/listed twice/);
  });

  it('rejects a name with no letters or digits', () => {
    const result = validateDiagnosisEntry({ key: 'x-y', names: { en: ['---'] }, codes: [] });
    expect(result.errors[0]).toMatch(/no letters or digits/);
  });
});

describe('createDiagnosisVocabulary', () => {
  it('refuses two entries with one key', () => {
    expect(() => createDiagnosisVocabulary([entries[2]!, entries[2]!])).toThrow(/defined twice/);
  });

  it('refuses one code claimed by two diagnoses', () => {
    const clash: DiagnosisEntry = { ...entries[2]!, key: 'other', names: { en: ['Other thing'] } };
    expect(() => createDiagnosisVocabulary([entries[2]!, clash])).toThrow(/claimed by/);
  });
});

describe('matchDiagnosis by code', () => {
  it('matches ICD-10 with or without the dot', () => {
    expect(matchDiagnosis(condition({ codes: [{ system: ICD10, code: 'I78.0' }] }), vocabulary)).toBe(
      'hereditary-hemorrhagic-telangiectasia',
    );
    expect(matchDiagnosis(condition({ codes: [{ system: ICD10, code: 'i780' }] }), vocabulary)).toBe(
      'hereditary-hemorrhagic-telangiectasia',
    );
    expect(matchDiagnosis(condition({ codes: [{ system: ICD10CM, code: 'D6851' }] }), vocabulary)).toBe(
      'factor-v-leiden-thrombophilia',
    );
  });

  it('keeps ICD-10 and ICD-10-CM apart', () => {
    expect(matchDiagnosis(condition({ codes: [{ system: ICD10, code: 'D68.51' }] }), vocabulary)).toBe(
      undefined,
    );
  });

  it('accepts system spellings: https, trailing slash, OID', () => {
    expect(
      matchDiagnosis(
        condition({ codes: [{ system: 'https://hl7.org/fhir/sid/icd-10/', code: 'I78.0' }] }),
        vocabulary,
      ),
    ).toBe('hereditary-hemorrhagic-telangiectasia');
    expect(
      matchDiagnosis(
        condition({ codes: [{ system: 'urn:oid:2.16.840.1.113883.6.90', code: 'D68.021' }] }),
        vocabulary,
      ),
    ).toBe('von-willebrand-disease-type-2b');
  });

  it('accepts Orphanet and MONDO codes with or without their prefixes', () => {
    for (const code of ['ORPHA:774', '774', 'Orphanet_774']) {
      expect(
        matchDiagnosis(condition({ codes: [{ system: 'https://www.orpha.net/', code }] }), vocabulary),
      ).toBe('hereditary-hemorrhagic-telangiectasia');
    }
    for (const code of ['MONDO:0008560', 'MONDO_0008560', '0008560']) {
      expect(
        matchDiagnosis(
          condition({ codes: [{ system: 'http://purl.obolibrary.org/obo/mondo.owl', code }] }),
          vocabulary,
        ),
      ).toBe('factor-v-leiden-thrombophilia');
    }
  });

  it('reads Danish SKS diagnosis codes as ICD-10, exact codes only', () => {
    const sks = 'urn:oid:1.2.208.176.2.4';
    expect(matchDiagnosis(condition({ codes: [{ system: sks, code: 'DI780' }] }), vocabulary)).toBe(
      'hereditary-hemorrhagic-telangiectasia',
    );
    // A Danish subdivision is more specific than the ICD-10 code; it is not assumed to mean the same.
    expect(matchDiagnosis(condition({ codes: [{ system: sks, code: 'DI780A' }] }), vocabulary)).toBe(
      undefined,
    );
  });

  it('prefers a code over a contradicting text', () => {
    const found = condition({ codes: [{ system: ICD10, code: 'I78.0' }], text: 'Glanzmann thrombasthenia' });
    expect(matchDiagnosis(found, vocabulary)).toBe('hereditary-hemorrhagic-telangiectasia');
  });

  it('falls back to names when no code is known', () => {
    const found = condition({
      codes: [{ system: 'http://snomed.info/sct', code: '1234', display: 'Factor V Leiden mutation' }],
    });
    expect(matchDiagnosis(found, vocabulary)).toBe('factor-v-leiden-thrombophilia');
  });
});

describe('matchDiagnosis by name', () => {
  it('ignores case, punctuation and diacritics', () => {
    expect(matchDiagnosis(condition({ text: 'GLANZMANN-THROMBASTHENIA' }), vocabulary)).toBe(
      'glanzmann-thrombasthenia',
    );
    expect(matchDiagnosis(condition({ text: 'Arvelig haemoragisk telangiektasi' }), vocabulary)).toBe(
      'hereditary-hemorrhagic-telangiectasia',
    );
    expect(matchDiagnosis(condition({ text: 'Arvelig hæmoragisk telangiektasi' }), vocabulary)).toBe(
      'hereditary-hemorrhagic-telangiectasia',
    );
    expect(matchDiagnosis(condition({ text: 'Glanzmann’s thrombasthenia' }), vocabulary)).toBe(
      'glanzmann-thrombasthenia',
    );
  });

  it('matches whole words only', () => {
    expect(matchDiagnosis(condition({ text: 'HHTX panel result' }), vocabulary)).toBe(undefined);
    expect(matchDiagnosis(condition({ text: 'Known HHT, epistaxis' }), vocabulary)).toBe(
      'hereditary-hemorrhagic-telangiectasia',
    );
  });

  it('prefers the longest name', () => {
    expect(matchDiagnosis(condition({ text: "von Willebrand's disease type 2B" }), vocabulary)).toBe(
      'von-willebrand-disease-type-2b',
    );
    expect(matchDiagnosis(condition({ text: 'von Willebrand disease type 2A' }), vocabulary)).toBe(
      'von-willebrand-disease',
    );
  });

  it('reads Danish names', () => {
    expect(matchDiagnosis(condition({ text: 'APC-resistens (heterozygot)' }), vocabulary)).toBe(
      'factor-v-leiden-thrombophilia',
    );
  });

  it('does not match negated or family-history text', () => {
    for (const text of [
      'No factor V Leiden',
      'Factor V Leiden negative',
      'Family history of factor V Leiden',
      'Factor V Leiden: ikke påvist',
      'Factor V Leiden udelukket',
    ]) {
      expect(matchDiagnosis(condition({ text }), vocabulary)).toBe(undefined);
    }
  });

  it('does not read a carrier of a recessive disease as affected', () => {
    expect(matchDiagnosis(condition({ text: 'Glanzmann thrombasthenia carrier' }), vocabulary)).toBe(
      undefined,
    );
    expect(matchDiagnosis(condition({ text: 'Bærer af Glanzmanns trombasteni' }), vocabulary)).toBe(
      undefined,
    );
    // A dominant trait's carrier has the trait.
    expect(matchDiagnosis(condition({ text: 'Factor V Leiden carrier' }), vocabulary)).toBe(
      'factor-v-leiden-thrombophilia',
    );
  });

  it('gives undefined when nothing matches', () => {
    expect(matchDiagnosis(condition({ text: 'Hypertension' }), vocabulary)).toBe(undefined);
    expect(matchDiagnosis(condition({}), vocabulary)).toBe(undefined);
  });
});
