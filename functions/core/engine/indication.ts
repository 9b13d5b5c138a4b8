import type { ConditionFinding } from '../model';

/**
 * The indication CPIC's clopidogrel advice depends on (ACS/PCI, other cardiovascular, neurovascular), read
 * from the patient's recorded Conditions when the caller did not state it. Only one unambiguous category
 * counts: a patient with both a stroke and an ACS on the problem list keeps "unknown", so the rules give the
 * ACS/PCI advice with its note that prasugrel must not follow a stroke or TIA.
 */
export type Indication = 'acs-pci' | 'other-cardiovascular' | 'neurovascular';

interface IndicationSigns {
  /** ICD-10 / ICD-10-CM code prefixes (without the dot). */
  icd10: string[];
  /** SNOMED CT concept ids. */
  snomed: string[];
  /** Words and phrases in Condition text (English and Danish), matched whole, case-insensitive. */
  text: RegExp;
}

// ICD-10 (WHO) chapter IX codes; SNOMED CT concept ids of the international edition; Danish clinical terms.
const SIGNS: Record<Indication, IndicationSigns> = {
  'acs-pci': {
    icd10: ['I200', 'I21', 'I22', 'I24', 'Z955', 'Z9861'],
    snomed: ['394659003', '22298006', '401314000', '401303003', '4557003', '415070008'],
    text: /\b(acute coronary syndrome|myocardial infarction|n?stemi|unstable angina|percutaneous coronary intervention|pci|coronary stent|akut koronart syndrom|blodprop i hjertet|hjerteinfarkt|ustabil angina)\b/i,
  },
  neurovascular: {
    icd10: ['I63', 'I64', 'G45', 'G46'],
    snomed: ['230690007', '432504007', '266257000'],
    text: /\b(stroke|cerebral infarction|transient isch(a)?emic attack|tia|apopleksi|blodprop i hjernen|hjerneinfarkt|tci)\b/i,
  },
  'other-cardiovascular': {
    icd10: ['I702', 'I739', 'I25'],
    snomed: ['399957001', '840580004'],
    text: /\b(peripheral arter(y|ial) (occlusive )?disease|intermittent claudication|stable angina|chronic isch(a)?emic heart disease|perifer arteriesygdom|claudicatio intermittens)\b/i,
  },
};

const ACTIVE = new Set(['active', 'recurrence', 'relapse', 'unknown', '']);

export function indicationFrom(conditions: readonly ConditionFinding[]): Indication | undefined {
  const found = new Set<Indication>();
  for (const condition of conditions) {
    if (condition.verification === 'refuted' || condition.verification === 'entered-in-error') continue;
    if (!ACTIVE.has(condition.clinical)) continue;
    for (const [indication, signs] of Object.entries(SIGNS) as [Indication, IndicationSigns][]) {
      if (matches(condition, signs)) found.add(indication);
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}

function matches(condition: ConditionFinding, signs: IndicationSigns): boolean {
  for (const coding of condition.codes) {
    const system = coding.system?.toLowerCase() ?? '';
    const code = coding.code?.replace(/[.\s]/g, '').toUpperCase() ?? '';
    if (!code) continue;
    if (system.includes('icd-10') && signs.icd10.some((prefix) => code.startsWith(prefix))) return true;
    if (system.includes('snomed') && signs.snomed.includes(code)) return true;
  }
  const texts = [condition.text, ...condition.codes.map((c) => c.display)].filter((t): t is string =>
    Boolean(t),
  );
  return texts.some(
    (text) => signs.text.test(text) && !/\b(no|not|without|family history|ingen|ikke)\b/i.test(text),
  );
}
