/**
 * The drug vocabulary: ingredients (rules/drugs/<key>.json) and combination products (rules/drugs/combinations.json),
 * indexed once for O(1) code lookups and one-pass name matching in free text.
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import schema from '../../../rules/schema/drug.schema.json';
import { schemaCompiler } from '../schema-validation';

/** Mirrors `#/$defs/drugClass` in rules/schema/drug.schema.json (a test keeps the two equal). */
export const DRUG_CLASSES = [
  'antiplatelet',
  'p2y12-inhibitor',
  'phosphodiesterase-inhibitor',
  'anticoagulant',
  'vitamin-k-antagonist',
  'heparin',
  'low-molecular-weight-heparin',
  'antithrombin-dependent-anticoagulant',
  'direct-thrombin-inhibitor',
  'factor-xa-inhibitor',
  'doac',
  'protein-concentrate',
  'anti-von-willebrand-factor',
  'vasopressin-analogue',
  'estrogen',
  'progestogen',
  'combined-hormonal-contraceptive',
  'progestogen-only-contraceptive',
  'hormone-replacement-therapy',
  'nsaid',
  'statin',
  'thiopurine',
  'fluoropyrimidine',
  'antineoplastic',
  'immunosuppressant',
  'calcineurin-inhibitor',
  'volatile-anaesthetic',
  'neuromuscular-blocker',
  'depolarising-neuromuscular-blocker',
  'aminoglycoside',
  'antibiotic',
  'opioid',
  'anticonvulsant',
  'aromatic-anticonvulsant',
  'antiretroviral',
  'nrti',
  'hiv-protease-inhibitor',
  'xanthine-oxidase-inhibitor',
  'urate-oxidase',
] as const;

export type DrugClass = (typeof DRUG_CLASSES)[number];

/** A code with its display and the source it was checked against. */
export interface SourcedCode {
  code: string;
  display?: string;
  source: string;
}

export type RxNormProductTty = 'SCD' | 'SBD' | 'GPCK' | 'BPCK';

export interface RxNormProduct {
  code: string;
  name: string;
  tty: RxNormProductTty;
  source: string;
}

export interface DrugCodes {
  rxnorm?: { ingredient?: SourcedCode; products?: RxNormProduct[] };
  atc?: SourcedCode[];
  snomed?: SourcedCode[];
}

export interface DrugNames {
  en: string[];
  da: string[];
}

/** One ingredient. Mirrors `#/$defs/drugEntry`. */
export interface DrugEntry {
  $schema?: string;
  key: string;
  inn: string;
  names: DrugNames;
  brands?: string[];
  classes: DrugClass[];
  codes: DrugCodes;
  note?: string;
}

/** A fixed-combination product (or ATC combination group). Mirrors `#/$defs/combination`. */
export interface DrugCombination {
  id: string;
  name: string;
  ingredients: string[];
  otherIngredients?: string[];
  names?: DrugNames;
  brands?: string[];
  codes?: DrugCodes;
  note?: string;
}

/** rules/drugs/combinations.json. Mirrors `#/$defs/combinationFile`. */
export interface DrugCombinationFile {
  $schema?: string;
  combinations: DrugCombination[];
}

export type CodeSystemKind = 'rxnorm' | 'atc' | 'snomed';

export const CODE_SYSTEM_URLS: Record<CodeSystemKind, string> = {
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  atc: 'http://www.whocc.no/atc',
  snomed: 'http://snomed.info/sct',
};

/** A code that resolved: the ingredients it stands for, and the combination if it names one. */
export interface CodeMatch {
  system: CodeSystemKind;
  code: string;
  ingredients: string[];
  combination?: string;
}

/** A name found in text. */
export interface TextMatch {
  /** The vocabulary name or brand that matched, as written in the vocabulary. */
  name: string;
  ingredients: string[];
  combination?: string;
  /** Token index in the normalised text where the match starts. */
  at: number;
}

export interface DrugVocabulary {
  readonly entries: readonly DrugEntry[];
  readonly combinations: readonly DrugCombination[];
  /** Inconsistencies found while indexing (a code or name owned by two ingredients, unknown keys). Empty when sound. */
  readonly issues: readonly string[];
  has(key: string): boolean;
  get(key: string): DrugEntry | undefined;
  keys(): string[];
  /** Which of our code systems a FHIR `system` URI denotes (common variants accepted). */
  systemOf(system: string | undefined): CodeSystemKind | undefined;
  /** Ingredients for one coding; undefined when the system is not ours or the code is unknown. */
  lookupCoding(system: string | undefined, code: string | undefined): CodeMatch | undefined;
  /** Every name, brand and combination name found in the text, longest first, non-overlapping, in text order. */
  matchText(text: string): TextMatch[];
  /** The ingredient keys named in the text, sorted. */
  ingredientsInText(text: string): string[];
  /** Ingredient keys of a class, sorted. */
  ingredientsOfClass(cls: DrugClass): string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

let validators: { entry: ValidateFunction; combinations: ValidateFunction } | undefined;

function getValidators(): { entry: ValidateFunction; combinations: ValidateFunction } {
  if (!validators) {
    const ajv = schemaCompiler();
    const id = schema.$id;
    if (!ajv.getSchema(id)) ajv.addSchema(schema);
    validators = {
      entry: ajv.getSchema(`${id}#/$defs/drugEntry`)!,
      combinations: ajv.getSchema(`${id}#/$defs/combinationFile`)!,
    };
  }
  return validators;
}

function formatErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** Validates one ingredient file against the schema. */
export function validateDrugEntry(json: unknown): { entry?: DrugEntry; errors: string[] } {
  const { entry } = getValidators();
  if (entry(json)) return { entry: json as DrugEntry, errors: [] };
  return { errors: formatErrors(entry) };
}

/** Validates rules/drugs/combinations.json against the schema. */
export function validateCombinationFile(json: unknown): { file?: DrugCombinationFile; errors: string[] } {
  const { combinations } = getValidators();
  if (combinations(json)) return { file: json as DrugCombinationFile, errors: [] };
  return { errors: formatErrors(combinations) };
}

/**
 * Sorts raw rules/drugs files (already parsed) into entries and combinations, validating each, so a loader outside
 * the core only has to read files. `name` is the file name ("clopidogrel.json"); an entry's key must equal its stem.
 */
export function parseDrugFiles(files: { name: string; json: unknown }[]): {
  entries: DrugEntry[];
  combinations: DrugCombination[];
  errors: string[];
} {
  const entries: DrugEntry[] = [];
  const combinations: DrugCombination[] = [];
  const errors: string[] = [];
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const stem = file.name.replace(/\.json$/, '');
    if (stem === 'combinations') {
      const { file: parsed, errors: errs } = validateCombinationFile(file.json);
      if (parsed) combinations.push(...parsed.combinations);
      errors.push(...errs.map((e) => `${file.name}: ${e}`));
      continue;
    }
    const { entry, errors: errs } = validateDrugEntry(file.json);
    errors.push(...errs.map((e) => `${file.name}: ${e}`));
    if (!entry) continue;
    if (entry.key !== stem) errors.push(`${file.name}: key "${entry.key}" differs from the file name`);
    entries.push(entry);
  }
  return { entries, combinations, errors };
}

// ---------------------------------------------------------------------------------------------------------------
// Normalisation

const FOLD: Record<string, string> = { ø: 'o', æ: 'ae', ß: 'ss', œ: 'oe', đ: 'd', ł: 'l', ı: 'i' };

/** Lower case, diacritics folded, every run of non-letters/digits a single space. Names and text share it. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[øæßœđłı]/g, (c) => FOLD[c] ?? c)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function tokens(text: string): string[] {
  const n = normaliseText(text);
  return n === '' ? [] : n.split(' ');
}

const SYSTEM_ALIASES: Record<string, CodeSystemKind> = {
  'nlm.nih.gov/research/umls/rxnorm': 'rxnorm',
  'urn:oid:2.16.840.1.113883.6.88': 'rxnorm',
  rxnorm: 'rxnorm',
  'whocc.no/atc': 'atc',
  'urn:oid:2.16.840.1.113883.6.73': 'atc',
  atc: 'atc',
  'whocc atc': 'atc',
  'snomed.info/sct': 'snomed',
  'urn:oid:2.16.840.1.113883.6.96': 'snomed',
  snomed: 'snomed',
  'snomed ct': 'snomed',
  'snomed-ct': 'snomed',
  sct: 'snomed',
};

export function codeSystemOf(system: string | undefined): CodeSystemKind | undefined {
  if (typeof system !== 'string') return undefined;
  const s = system
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '');
  return SYSTEM_ALIASES[s];
}

const ATC_PATTERN = /^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$/;

function normaliseCode(kind: CodeSystemKind, code: string): string {
  const c = code.trim();
  return kind === 'atc' ? c.toUpperCase() : c;
}

// ---------------------------------------------------------------------------------------------------------------
// Index

interface NameTarget {
  name: string;
  tokens: string[];
  ingredients: string[];
  combination?: string;
}

function codesOf(codes: DrugCodes | undefined): [CodeSystemKind, string][] {
  if (!codes) return [];
  const out: [CodeSystemKind, string][] = [];
  if (codes.rxnorm?.ingredient) out.push(['rxnorm', codes.rxnorm.ingredient.code]);
  for (const p of codes.rxnorm?.products ?? []) out.push(['rxnorm', p.code]);
  for (const c of codes.atc ?? []) out.push(['atc', c.code]);
  for (const c of codes.snomed ?? []) out.push(['snomed', c.code]);
  return out;
}

function namesOf(names: DrugNames | undefined, brands: string[] | undefined): string[] {
  return [...(names?.en ?? []), ...(names?.da ?? []), ...(brands ?? [])];
}

/** Builds the lookup maps once; every lookup after that is a map access or one pass over the text. */
export function createDrugVocabulary(
  entries: DrugEntry[],
  combinations: DrugCombination[] | DrugCombinationFile = [],
): DrugVocabulary {
  const combos = Array.isArray(combinations) ? combinations : combinations.combinations;
  const issues: string[] = [];
  const byKey = new Map<string, DrugEntry>();
  for (const e of entries) {
    if (byKey.has(e.key)) issues.push(`ingredient "${e.key}" is defined twice`);
    byKey.set(e.key, e);
  }

  const codeIndex = new Map<string, CodeMatch>();
  const addCode = (
    kind: CodeSystemKind,
    raw: string,
    owner: string,
    match: Omit<CodeMatch, 'system' | 'code'>,
  ) => {
    const code = normaliseCode(kind, raw);
    const id = `${kind}|${code}`;
    const existing = codeIndex.get(id);
    if (existing) {
      const was = existing.combination ?? existing.ingredients.join('+');
      if (was !== owner) issues.push(`${kind} ${code} is claimed by "${was}" and "${owner}"`);
      return;
    }
    codeIndex.set(id, { system: kind, code, ...match });
  };

  const nameIndex = new Map<string, NameTarget[]>();
  const nameOwner = new Map<string, string>();
  const addName = (name: string, owner: string, target: Omit<NameTarget, 'name' | 'tokens'>) => {
    const toks = tokens(name);
    const first = toks[0];
    if (first === undefined) return;
    const norm = toks.join(' ');
    const was = nameOwner.get(norm);
    if (was !== undefined) {
      if (was !== owner) issues.push(`name "${name}" belongs to "${was}" and "${owner}"`);
      return;
    }
    nameOwner.set(norm, owner);
    const list = nameIndex.get(first) ?? [];
    list.push({ name, tokens: toks, ...target });
    nameIndex.set(first, list);
  };

  const classIndex = new Map<DrugClass, string[]>();
  for (const e of byKey.values()) {
    for (const [kind, code] of codesOf(e.codes)) addCode(kind, code, e.key, { ingredients: [e.key] });
    for (const n of namesOf(e.names, e.brands)) addName(n, e.key, { ingredients: [e.key] });
    for (const cls of e.classes) classIndex.set(cls, [...(classIndex.get(cls) ?? []), e.key]);
  }
  for (const c of combos) {
    const unknown = c.ingredients.filter((k) => !byKey.has(k));
    if (unknown.length > 0)
      issues.push(`combination "${c.id}" names unknown ingredients ${unknown.join(', ')}`);
    const ingredients = [...new Set(c.ingredients.filter((k) => byKey.has(k)))].sort();
    if (ingredients.length === 0) continue;
    for (const [kind, code] of codesOf(c.codes))
      addCode(kind, code, c.id, { ingredients, combination: c.id });
    for (const n of namesOf(c.names, c.brands)) addName(n, c.id, { ingredients, combination: c.id });
  }
  // Longest names first, so "ethinyl estradiol" wins over "estradiol" and "estradiol valerate" over "estradiol".
  for (const list of nameIndex.values()) {
    list.sort((a, b) => b.tokens.length - a.tokens.length || a.name.localeCompare(b.name));
  }
  for (const [cls, keys] of classIndex) classIndex.set(cls, [...keys].sort());

  const sortedKeys = [...byKey.keys()].sort();

  const matchText = (text: string): TextMatch[] => {
    if (typeof text !== 'string' || text === '') return [];
    const toks = tokens(text);
    const found: TextMatch[] = [];
    let i = 0;
    while (i < toks.length) {
      const candidates = nameIndex.get(toks[i] as string);
      let hit: NameTarget | undefined;
      if (candidates) {
        for (const c of candidates) {
          if (c.tokens.every((t, j) => toks[i + j] === t)) {
            hit = c;
            break;
          }
        }
      }
      if (hit) {
        found.push({
          name: hit.name,
          ingredients: hit.ingredients,
          at: i,
          ...(hit.combination ? { combination: hit.combination } : {}),
        });
        i += hit.tokens.length;
      } else {
        i += 1;
      }
    }
    return found;
  };

  return {
    entries: [...byKey.values()],
    combinations: combos,
    issues,
    has: (key) => byKey.has(key),
    get: (key) => byKey.get(key),
    keys: () => [...sortedKeys],
    systemOf: codeSystemOf,
    lookupCoding(system, code) {
      if (typeof code !== 'string' || code.trim() === '') return undefined;
      let kind = codeSystemOf(system);
      // A coding without a system is only trusted when the code can be nothing but ATC.
      if (!kind && (system === undefined || system === '') && ATC_PATTERN.test(code.trim().toUpperCase()))
        kind = 'atc';
      if (!kind) return undefined;
      return codeIndex.get(`${kind}|${normaliseCode(kind, code)}`);
    },
    matchText,
    ingredientsInText: (text) => [...new Set(matchText(text).flatMap((m) => m.ingredients))].sort(),
    ingredientsOfClass: (cls) => [...(classIndex.get(cls) ?? [])],
  };
}
