import type { ConditionFinding } from '../model';

/**
 * The indication CPIC's clopidogrel advice depends on (ACS/PCI, other cardiovascular, neurovascular), read
 * from the patient's recorded Conditions when the caller did not state it. The vocabulary is rule-set data
 * (rules/indications/, rules/indication-negation.json), so a change to it is a new rule-set version; this
 * module only matches. Only one unambiguous indication counts: a patient with both a stroke and an ACS on
 * the problem list keeps "unknown", so the rules give the ACS/PCI advice with its note that prasugrel must
 * not follow a stroke or TIA.
 */

/**
 * Indication values that need no file: "unknown" (none stated or recognised) and the thiopurine indications,
 * which only the prescriber states.
 */
export const BUILT_IN_INDICATIONS = ['unknown', 'malignancy', 'non-malignant'] as const;

/** One indication's signs (rules/indications/<key>.json, rules/schema/indication.schema.json). */
export interface IndicationEntry {
  key: string;
  names: { en: string[]; da?: string[] };
  description?: string;
  /** ICD-10 codes, each a prefix ("I21" covers I21.4), written with or without the dot. */
  icd10: IndicationCode[];
  /** SNOMED CT concept ids, matched exactly. */
  snomed: IndicationCode[];
  /** Words and phrases in Condition text or code displays, matched whole and case-insensitive. */
  phrases: { en: string[]; da?: string[] };
}

export interface IndicationCode {
  code: string;
  display?: string;
  source: string;
}

/** Words that make a text unusable for matching (rules/indication-negation.json). */
export interface IndicationNegation {
  description?: string;
  words: { en: string[]; da?: string[] };
}

/** Recorded Conditions → the one indication they name, or undefined (none, or more than one). */
export type IndicationMatcher = (conditions: readonly ConditionFinding[]) => string | undefined;

interface CompiledIndication {
  key: string;
  icd10: readonly string[];
  snomed: ReadonlySet<string>;
  /** Every phrase in one expression; undefined when the entry lists none. */
  phrases: RegExp | undefined;
}

const ACTIVE = new Set(['active', 'recurrence', 'relapse', 'unknown', '']);

/**
 * Builds the matcher once per rule set: codes normalised, and each indication's phrases compiled into one
 * whole-word, case-insensitive expression with every character taken literally.
 */
export function createIndicationMatcher(
  entries: readonly IndicationEntry[],
  negation: IndicationNegation | undefined,
): IndicationMatcher {
  const compiled: CompiledIndication[] = entries.map((entry) => ({
    key: entry.key,
    icd10: entry.icd10.map((c) => icd10Code(c.code)).filter(Boolean),
    snomed: new Set(entry.snomed.map((c) => c.code.trim())),
    phrases: phraseExpression([...entry.phrases.en, ...(entry.phrases.da ?? [])]),
  }));
  const negated = phraseExpression(negation ? [...negation.words.en, ...(negation.words.da ?? [])] : []);
  return (conditions) => {
    const found = new Set<string>();
    for (const condition of conditions) {
      if (condition.verification === 'refuted' || condition.verification === 'entered-in-error') continue;
      if (!ACTIVE.has(condition.clinical)) continue;
      const texts = [condition.text, ...condition.codes.map((c) => c.display)].filter(
        (t): t is string => typeof t === 'string' && t.length > 0 && !negated?.test(t),
      );
      for (const indication of compiled) {
        if (matches(condition, texts, indication)) found.add(indication.key);
      }
    }
    return found.size === 1 ? [...found][0] : undefined;
  };
}

function matches(condition: ConditionFinding, texts: readonly string[], indication: CompiledIndication) {
  for (const coding of condition.codes) {
    const system = coding.system?.toLowerCase() ?? '';
    const code = coding.code ? icd10Code(coding.code) : '';
    if (!code) continue;
    if (system.includes('icd-10') && indication.icd10.some((prefix) => code.startsWith(prefix))) return true;
    if (system.includes('snomed') && indication.snomed.has(code)) return true;
  }
  const phrases = indication.phrases;
  return phrases !== undefined && texts.some((text) => phrases.test(text));
}

/** A code as compared: dots and spaces removed, upper case ("i21.4" → "I214"). */
export function icd10Code(code: string): string {
  return code.replace(/[.\s]/g, '').toUpperCase();
}

// A word character in any script, so "æ" or "ø" next to a phrase does not count as a word boundary.
const WORD = '[\\p{L}\\p{N}_]';

/**
 * One expression matching any of the phrases as whole words, case-insensitive. Every character of a phrase
 * means itself (regex metacharacters are escaped); runs of spaces match any whitespace. Not global, so
 * `test` keeps no state between calls.
 */
export function phraseExpression(phrases: readonly string[]): RegExp | undefined {
  const alternatives = phrases
    .map((phrase) => phrase.trim())
    .filter((phrase) => phrase.length > 0)
    .map((phrase) => phrase.split(/\s+/).map(escapeRegExp).join('\\s+'));
  if (alternatives.length === 0) return undefined;
  return new RegExp(`(?<!${WORD})(?:${alternatives.join('|')})(?!${WORD})`, 'iu');
}

// Outside a character class a unicode expression needs no escape for "-" (and refuses one).
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
