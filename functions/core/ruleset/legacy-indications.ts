import type { IndicationEntry, IndicationNegation } from '../engine/indication';

/**
 * The indication vocabulary that rule sets before 1.1.0 had built into the engine, frozen as it was. A
 * knowledge base without rules/indications/ files (a version published before the vocabulary became rule
 * data) is matched with it, so a stored version keeps giving the advice it gave when it was published. Do
 * not edit: change rules/indications/ instead.
 */
export const PRE_1_1_INDICATIONS: { entries: IndicationEntry[]; negation: IndicationNegation } = {
  entries: [
    legacy(
      'acs-pci',
      ['I200', 'I21', 'I22', 'I24', 'Z955', 'Z9861'],
      ['394659003', '22298006', '401314000', '401303003', '4557003', '415070008'],
      [
        'acute coronary syndrome',
        'myocardial infarction',
        'stemi',
        'nstemi',
        'unstable angina',
        'percutaneous coronary intervention',
        'pci',
        'coronary stent',
        'akut koronart syndrom',
        'blodprop i hjertet',
        'hjerteinfarkt',
        'ustabil angina',
      ],
    ),
    legacy(
      'neurovascular',
      ['I63', 'I64', 'G45', 'G46'],
      ['230690007', '432504007', '266257000'],
      [
        'stroke',
        'cerebral infarction',
        'transient ischemic attack',
        'transient ischaemic attack',
        'tia',
        'apopleksi',
        'blodprop i hjernen',
        'hjerneinfarkt',
        'tci',
      ],
    ),
    legacy(
      'other-cardiovascular',
      ['I702', 'I739', 'I25'],
      ['399957001', '840580004'],
      [
        'peripheral artery disease',
        'peripheral arterial disease',
        'peripheral artery occlusive disease',
        'peripheral arterial occlusive disease',
        'intermittent claudication',
        'stable angina',
        'chronic ischemic heart disease',
        'chronic ischaemic heart disease',
        'perifer arteriesygdom',
        'claudicatio intermittens',
      ],
    ),
  ],
  negation: { words: { en: ['no', 'not', 'without', 'family history', 'ingen', 'ikke'] } },
};

function legacy(key: string, icd10: string[], snomed: string[], phrases: string[]): IndicationEntry {
  const source = 'built into the engine before rule set 1.1.0';
  return {
    key,
    names: { en: [key] },
    icd10: icd10.map((code) => ({ code, source })),
    snomed: snomed.map((code) => ({ code, source })),
    phrases: { en: phrases },
  };
}
