import {
  BUILT_IN_INDICATIONS,
  type IndicationEntry,
  type IndicationNegation,
  icd10Code,
} from '../engine/indication';
import type { Checked } from './read-knowledge-base';
import { checkIndicationNegationSchema, checkIndicationSchema } from './schemas';

/**
 * Checks one indication file: the schema, then what it cannot say (a built-in key, the same code twice, a
 * phrase without letters or digits, the same phrase twice in any case).
 */
export function checkIndication(json: unknown): Checked<IndicationEntry> {
  const checked = checkIndicationSchema(json);
  const entry = checked.value;
  if (!entry) return checked;
  const errors: string[] = [];
  if ((BUILT_IN_INDICATIONS as readonly string[]).includes(entry.key)) {
    errors.push(
      `key: "${entry.key}" is built in (${BUILT_IN_INDICATIONS.join(', ')}) and cannot be redefined`,
    );
  }
  for (const system of ['icd10', 'snomed'] as const) {
    const seen = new Map<string, number>();
    entry[system].forEach((code, i) => {
      const id = icd10Code(code.code);
      const first = seen.get(id);
      if (first !== undefined)
        errors.push(`/${system}/${i}: code ${code.code} is already listed at /${system}/${first}`);
      else seen.set(id, i);
    });
  }
  errors.push(...phraseProblems('/phrases', entry.phrases));
  return errors.length > 0 ? { errors } : { value: entry, errors };
}

export function checkIndicationNegation(json: unknown): Checked<IndicationNegation> {
  const checked = checkIndicationNegationSchema(json);
  if (!checked.value) return checked;
  const errors = phraseProblems('/words', checked.value.words);
  return errors.length > 0 ? { errors } : checked;
}

function phraseProblems(where: string, byLanguage: Readonly<Record<string, readonly string[] | undefined>>) {
  const errors: string[] = [];
  const seen = new Map<string, string>();
  for (const [lang, phrases] of Object.entries(byLanguage)) {
    (phrases ?? []).forEach((phrase, i) => {
      const at = `${where}/${lang}/${i}`;
      if (!/[\p{L}\p{N}]/u.test(phrase)) errors.push(`${at}: "${phrase}" has no letters or digits`);
      const folded = foldPhrase(phrase);
      const first = seen.get(folded);
      if (first) errors.push(`${at}: "${phrase}" is already listed at ${first}`);
      else seen.set(folded, at);
    });
  }
  return errors;
}

/** A phrase as the matcher sees it: case and runs of whitespace ignored. */
function foldPhrase(phrase: string): string {
  return phrase.trim().split(/\s+/).join(' ').toLowerCase();
}

/** Where an indication file's problems are reported. */
export interface IndicationProblem {
  file: string;
  message: string;
}

/**
 * Cross-file checks: a code or phrase belongs to one indication only (an ICD-10 prefix inside another
 * indication's prefix counts: I25 would also claim I25.2), and a rule set that defines indications states
 * its negation words.
 */
export function checkIndicationVocabulary(
  entries: readonly IndicationEntry[],
  fileOf: (key: string) => string,
  hasNegation: boolean,
): IndicationProblem[] {
  const problems: IndicationProblem[] = [];
  const sorted = [...entries].sort((a, b) => a.key.localeCompare(b.key));
  sorted.forEach((entry, i) => {
    for (const other of sorted.slice(i + 1)) {
      const both = (message: string) =>
        problems.push({ file: fileOf(entry.key), message: `${message} (see ${fileOf(other.key)})` });
      for (const a of entry.icd10) {
        for (const b of other.icd10) {
          const [x, y] = [icd10Code(a.code), icd10Code(b.code)];
          if (x.startsWith(y) || y.startsWith(x)) {
            both(`ICD-10 ${a.code} is claimed by "${entry.key}" and ICD-10 ${b.code} by "${other.key}"`);
          }
        }
      }
      const snomed = new Set(other.snomed.map((c) => c.code));
      for (const code of entry.snomed) {
        if (snomed.has(code.code))
          both(`SNOMED CT ${code.code} is claimed by "${entry.key}" and "${other.key}"`);
      }
      const phrases = new Set(allPhrases(other).map(foldPhrase));
      for (const phrase of allPhrases(entry)) {
        if (phrases.has(foldPhrase(phrase)))
          both(`phrase "${phrase}" is claimed by "${entry.key}" and "${other.key}"`);
      }
    }
  });
  if (entries.length > 0 && !hasNegation) {
    problems.push({
      file: 'indication-negation.json',
      message:
        'missing: indications need the negation words ("no", "family history" ...) that cancel a text match',
    });
  }
  return problems;
}

function allPhrases(entry: IndicationEntry): string[] {
  return [...entry.phrases.en, ...(entry.phrases.da ?? [])];
}
