import type { ErrorObject } from 'ajv/dist/2020';
import diagnosisSchema from '../../../rules/schema/diagnosis.schema.json';
import type { ConditionFinding } from '../model';
import { lazyValidator } from '../schema-validation';

/** A diagnosis rules can read (rules/diagnoses/<key>.json, rules/schema/diagnosis.schema.json). */
export interface DiagnosisEntry {
  key: string;
  /** Preferred name first. Matched as whole words, case and diacritics ignored. */
  names: { en: string[]; da?: string[] };
  /** HGNC symbols of the genes whose pathogenic variants cause it. */
  genes?: string[];
  inheritance?: Inheritance;
  /** Codes that mean exactly this diagnosis, each with where it was checked. */
  codes: DiagnosisCode[];
}

export type Inheritance = 'autosomal-dominant' | 'autosomal-recessive' | 'x-linked' | 'acquired' | 'variable';

export interface DiagnosisCode {
  system: string;
  code: string;
  display?: string;
  source: string;
}

// Marked pure: a bundle that never validates a diagnosis file (the service) drops the schema.
const schemaValidator = /* @__PURE__ */ lazyValidator<DiagnosisEntry>(diagnosisSchema);

/**
 * Checks one diagnosis file: the schema, then what the schema cannot say (a code that normalises to
 * nothing, a name that is empty once folded, the same code twice).
 */
export function validateDiagnosisEntry(json: unknown): { entry?: DiagnosisEntry; errors: string[] } {
  const validateSchema = schemaValidator();
  if (!validateSchema(json)) return { errors: formatErrors(validateSchema.errors) };
  const entry = json;
  const errors: string[] = [];
  const seen = new Set<string>();
  entry.codes.forEach((code, i) => {
    const id = codeId(code.system, code.code);
    if (!id) {
      errors.push(`/codes/${i}: code "${code.code}" is empty once its system prefix is removed`);
      return;
    }
    if (seen.has(id)) errors.push(`/codes/${i}: code ${code.system} ${code.code} is listed twice`);
    seen.add(id);
  });
  for (const [lang, names] of Object.entries(entry.names)) {
    (names ?? []).forEach((name, i) => {
      if (tokens(name).length === 0) errors.push(`/names/${lang}/${i}: "${name}" has no letters or digits`);
    });
  }
  return errors.length > 0 ? { errors } : { entry, errors };
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`
        : '';
    return `${e.instancePath || '(top level)'}: ${e.message ?? 'is invalid'}${extra}`;
  });
}

/** The diagnoses indexed for matching; build once per rule set. */
export interface DiagnosisVocabulary {
  readonly entries: ReadonlyMap<string, DiagnosisEntry>;
  /** Canonical system|code → key. */
  readonly byCode: ReadonlyMap<string, string>;
  /** Every name as folded tokens, longest first. */
  readonly names: readonly NamePattern[];
}

interface NamePattern {
  key: string;
  tokens: string[];
  recessive: boolean;
}

export function createDiagnosisVocabulary(entries: readonly DiagnosisEntry[]): DiagnosisVocabulary {
  const byKey = new Map<string, DiagnosisEntry>();
  const byCode = new Map<string, string>();
  const names: NamePattern[] = [];
  for (const entry of entries) {
    if (byKey.has(entry.key)) throw new Error(`diagnosis "${entry.key}" is defined twice`);
    byKey.set(entry.key, entry);
    for (const code of entry.codes) {
      const id = codeId(code.system, code.code);
      const other = id ? byCode.get(id) : undefined;
      if (other && other !== entry.key) {
        throw new Error(`code ${code.system} ${code.code} is claimed by "${other}" and "${entry.key}"`);
      }
      if (id) byCode.set(id, entry.key);
    }
    const recessive = entry.inheritance === 'autosomal-recessive';
    for (const name of [...entry.names.en, ...(entry.names.da ?? [])]) {
      const t = tokens(name);
      if (t.length > 0) names.push({ key: entry.key, tokens: t, recessive });
    }
  }
  // Longest first, so "von Willebrand disease type 2B" wins over a shorter name inside it.
  names.sort(
    (a, b) =>
      b.tokens.length - a.tokens.length ||
      b.tokens.join(' ').length - a.tokens.join(' ').length ||
      a.key.localeCompare(b.key),
  );
  return { entries: byKey, byCode, names };
}

/**
 * The vocabulary key a Condition (or diagnostic implication) means: first by an exact code (system and
 * code), then by a name found as whole words in its text or a code's display. Text that negates
 * or speaks of relatives ("no factor V Leiden", "family history of ...") is never matched by name; for a
 * recessive disease, neither is text about carriers, since a carrier does not have the disease.
 */
export function matchDiagnosis(
  condition: ConditionFinding,
  vocabulary: DiagnosisVocabulary,
): string | undefined {
  for (const coding of condition.codes) {
    if (!coding.system || !coding.code) continue;
    const id = codeId(coding.system, coding.code);
    const key = id ? vocabulary.byCode.get(id) : undefined;
    if (key) return key;
    // Danish SKS diagnosis codes are ICD-10 with a leading D (DI780 = I78.0); only an exact match counts.
    if (canonicalSystem(coding.system) === SKS && /^D[A-Z]\d/i.test(coding.code.trim())) {
      const icd = codeId(ICD10_URI, coding.code.trim().slice(1));
      const sksKey = icd ? vocabulary.byCode.get(icd) : undefined;
      if (sksKey) return sksKey;
    }
  }
  const texts = [condition.text, ...condition.codes.map((c) => c.display)].filter(
    (t): t is string => typeof t === 'string' && t.trim().length > 0,
  );
  for (const text of texts) {
    const words = tokens(text);
    if (words.length === 0 || hasAny(words, BLOCKING_CUES)) continue;
    const carrierText = hasAny(words, CARRIER_CUES);
    for (const name of vocabulary.names) {
      if (name.recessive && carrierText) continue;
      if (containsSequence(words, name.tokens)) return name.key;
    }
  }
  return undefined;
}

const SNOMED = 'snomed';
const ICD10 = 'icd-10';
const ICD10CM = 'icd-10-cm';
const ORPHANET = 'orphanet';
const OMIM = 'omim';
const MONDO = 'mondo';
const SKS = 'sks';
const ICD10_URI = 'http://hl7.org/fhir/sid/icd-10';

/** The many spellings of one code system, reduced to one name. */
const SYSTEM_ALIASES: Record<string, string> = {
  'snomed.info/sct': SNOMED,
  'urn:oid:2.16.840.1.113883.6.96': SNOMED,
  'hl7.org/fhir/sid/icd-10': ICD10,
  'urn:oid:2.16.840.1.113883.6.3': ICD10,
  'hl7.org/fhir/sid/icd-10-cm': ICD10CM,
  'urn:oid:2.16.840.1.113883.6.90': ICD10CM,
  'www.orpha.net': ORPHANET,
  'orpha.net': ORPHANET,
  'www.orpha.net/ordo': ORPHANET,
  'www.orpha.net/ordo/orphanet': ORPHANET,
  'www.omim.org': OMIM,
  'omim.org': OMIM,
  'purl.obolibrary.org/obo/mondo.owl': MONDO,
  'purl.obolibrary.org/obo/mondo': MONDO,
  'urn:oid:1.2.208.176.2.4': SKS,
};

function canonicalSystem(system: string): string {
  const bare = system
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  return SYSTEM_ALIASES[bare] ?? bare;
}

/** system|code with the system's own prefixes and punctuation removed (ICD-10 with or without the dot). */
function codeId(system: string, code: string): string | undefined {
  const canonical = canonicalSystem(system);
  let value = code.trim();
  switch (canonical) {
    case ICD10:
    case ICD10CM:
      value = value.replace(/\./g, '').toUpperCase();
      break;
    case ORPHANET:
      value = value.replace(/^(orpha(net)?[:_]?)/i, '');
      break;
    case OMIM:
      value = value.replace(/^(omim|mim)[:_]?/i, '').replace(/^[#*%+^]/, '');
      break;
    case MONDO:
      value = value.replace(/^mondo[:_]?/i, '');
      break;
    default:
      value = value.toUpperCase();
  }
  return value ? `${canonical}|${value}` : undefined;
}

/** Letters that Unicode does not decompose, folded so Danish and English spellings meet. */
const EXTRA_FOLDS: Record<string, string> = { ø: 'o', æ: 'ae', ß: 'ss', đ: 'd', ł: 'l', œ: 'oe' };

/** Lower-case words with diacritics removed; a possessive 's is dropped ("Glanzmann's" = "Glanzmann"). */
function tokens(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[øæßđłœ]/g, (c) => EXTRA_FOLDS[c] ?? c)
    .replace(/['’]s\b/g, '');
  return folded.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

function containsSequence(words: readonly string[], pattern: readonly string[]): boolean {
  outer: for (let i = 0; i + pattern.length <= words.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (words[i + j] !== pattern[j]) continue outer;
    return true;
  }
  return false;
}

/** Single words or word sequences (space separated) that make a text unusable for name matching. */
const BLOCKING_CUES = [
  'no',
  'not',
  'negative',
  'without',
  'excluded',
  'ruled out',
  'rule out',
  'unlikely',
  'family history',
  'screening',
  'ikke',
  'negativ',
  'udelukket',
  'usandsynlig',
  'familieanamnese',
  'familiaer disposition',
].map(tokens);

const CARRIER_CUES = [
  'carrier',
  'heterozygous',
  'heterozygote',
  'baerer',
  'anlaegsbaerer',
  'heterozygot',
].map(tokens);

function hasAny(words: readonly string[], cues: readonly string[][]): boolean {
  return cues.some((cue) => containsSequence(words, cue));
}
