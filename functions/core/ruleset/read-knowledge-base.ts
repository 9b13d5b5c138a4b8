import type { DiagnosisEntry } from '../diagnoses/vocabulary';
import type { IndicationEntry, IndicationNegation } from '../engine/indication';
import type { DrugCombination, DrugCombinationFile, DrugEntry } from '../medications/vocabulary';
import type { GeneTable } from '../phenotypes/gene-table';
import type { CaseFile } from './cases-model';
import type { Condition, Rule } from './rule';

/** A file of the rules directory: its path relative to rules/ (posix separators) and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** A problem an author must fix, naming the file and, where there is one, the rule. */
export interface Problem {
  file: string;
  rule?: string;
  message: string;
}

/**
 * Everything a rule set is made of: rules with their cases, gene tables, drug vocabulary, diagnoses, and the
 * indications recognised on the problem list.
 */
export interface KnowledgeBase {
  version: string;
  rules: Rule[];
  cases: { file: string; cases: CaseFile }[];
  /** Where each rule came from, for messages. */
  ruleFiles: ReadonlyMap<string, string>;
  genes: GeneTable[];
  drugs: DrugEntry[];
  combinations: DrugCombination[];
  diagnoses: DiagnosisEntry[];
  /** rules/indications/*.json; none in a version published before the vocabulary became rule data. */
  indications: IndicationEntry[];
  /** rules/indication-negation.json: words that cancel a text match, for every indication. */
  indicationNegation?: IndicationNegation;
  /** Where each indication came from, for messages. */
  indicationFiles: ReadonlyMap<string, string>;
  sharedConditions: Record<string, Condition>;
}

type Kind =
  | 'ruleset'
  | 'shared-conditions'
  | 'rule'
  | 'cases'
  | 'gene'
  | 'drug'
  | 'combinations'
  | 'diagnosis'
  | 'indication'
  | 'indication-negation'
  | 'ignored';

/** Which part of the knowledge base a file is, from its place in the tree. */
export function kindOf(path: string): Kind {
  if (path.startsWith('schema/') || !path.endsWith('.json')) return 'ignored';
  if (path === 'ruleset.json') return 'ruleset';
  if (path === 'shared-conditions.json') return 'shared-conditions';
  if (path === 'indication-negation.json') return 'indication-negation';
  if (path.endsWith('.rule.json')) return 'rule';
  if (path.endsWith('.cases.json')) return 'cases';
  if (path.startsWith('genes/')) return 'gene';
  if (path === 'drugs/combinations.json') return 'combinations';
  if (path.startsWith('drugs/')) return 'drug';
  if (path.startsWith('diagnoses/')) return 'diagnosis';
  if (path.startsWith('indications/')) return 'indication';
  return 'ignored';
}

/** A data file is named after what it defines (rules/genes/CYP2C19.json defines CYP2C19). */
function stemProblems(field: string, value: string | undefined, stem: string): string[] {
  return value === undefined || value === stem
    ? []
    : [`${field} "${value}" must equal the file name stem "${stem}"`];
}

export function stemOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.replace(/\.(rule|cases)?\.?json$/, '');
}

/** What a file check gives: the value when the file is usable, and the problems an author must fix. */
export interface Checked<T> {
  value?: T;
  errors: string[];
}

/**
 * How each kind of file is checked. Kept apart from the reading so that a caller that trusts its files (the
 * service, reading a hash-verified stored version) bundles none of the schemas or their compiler.
 */
export interface FileChecks {
  /** Whether ruleset.json's `version` is one (a semantic version, when checking). */
  version(value: unknown): value is string;
  sharedConditions(json: unknown): Checked<{ conditions: Record<string, Condition> }>;
  rule(json: unknown): Checked<Rule>;
  cases(json: unknown): Checked<CaseFile>;
  gene(json: unknown): Checked<GeneTable>;
  drug(json: unknown): Checked<DrugEntry>;
  combinations(json: unknown): Checked<DrugCombinationFile>;
  diagnosis(json: unknown): Checked<DiagnosisEntry>;
  indication(json: unknown): Checked<IndicationEntry>;
  indicationNegation(json: unknown): Checked<IndicationNegation>;
}

const asIs = <T>(json: unknown): Checked<T> => ({ value: json as T, errors: [] });

/**
 * Takes every file as it is. For a stored version whose content hash the store verified: it was validated and
 * tested when it was published (the service's cold start would otherwise compile and run every schema again).
 */
export const TRUSTED: FileChecks = {
  version: (value): value is string => typeof value === 'string',
  sharedConditions: asIs,
  rule: asIs,
  cases: asIs,
  gene: asIs,
  drug: asIs,
  combinations: asIs,
  diagnosis: asIs,
  indication: asIs,
  indicationNegation: asIs,
};

/** parseKnowledgeBase for trusted files: no schema is imported or run. */
export function parseTrustedKnowledgeBase(files: readonly SourceFile[]): {
  kb: KnowledgeBase;
  problems: Problem[];
} {
  return readKnowledgeBase(files, TRUSTED);
}

/**
 * Parses every file and checks it with `checks`. Pure: the caller reads the files. Cross-references are
 * checked separately (validateKnowledgeBase), since they need the whole base.
 */
export function readKnowledgeBase(
  files: readonly SourceFile[],
  checks: FileChecks,
): { kb: KnowledgeBase; problems: Problem[] } {
  const problems: Problem[] = [];
  const kb: KnowledgeBase = {
    version: '0.0.0',
    rules: [],
    cases: [],
    ruleFiles: new Map(),
    genes: [],
    drugs: [],
    combinations: [],
    diagnoses: [],
    indications: [],
    indicationFiles: new Map(),
    sharedConditions: {},
  };
  const ruleFiles = new Map<string, string>();
  const indicationFiles = new Map<string, string>();
  let sawRuleset = false;
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const kind = kindOf(file.path);
    if (kind === 'ignored') continue;
    let json: unknown;
    try {
      json = JSON.parse(file.text);
    } catch (error) {
      problems.push({ file: file.path, message: `not valid JSON: ${(error as Error).message}` });
      continue;
    }
    const report = (errors: string[], rule?: string) => {
      for (const message of errors)
        problems.push(rule ? { file: file.path, rule, message } : { file: file.path, message });
    };
    const stem = stemOf(file.path);
    switch (kind) {
      case 'ruleset': {
        sawRuleset = true;
        const version = (json as { version?: unknown }).version;
        if (checks.version(version)) kb.version = version;
        else report(['"version" must be a semantic version such as 1.2.0']);
        break;
      }
      case 'shared-conditions': {
        const { value, errors } = checks.sharedConditions(json);
        report(errors);
        if (value) kb.sharedConditions = value.conditions;
        break;
      }
      case 'rule': {
        const { value, errors } = checks.rule(json);
        const id = typeof (json as { id?: unknown })?.id === 'string' ? (json as { id: string }).id : stem;
        report(errors, id);
        if (!value) break;
        if (value.id !== stem) report([`id "${value.id}" must equal the file name stem "${stem}"`], value.id);
        const earlier = ruleFiles.get(value.id);
        if (earlier) {
          report([`id "${value.id}" is also used by ${earlier}`], value.id);
          break;
        }
        ruleFiles.set(value.id, file.path);
        kb.rules.push(value);
        break;
      }
      case 'cases': {
        const { value, errors } = checks.cases(json);
        report(errors, stem);
        if (value) kb.cases.push({ file: file.path, cases: value });
        break;
      }
      case 'gene': {
        const { value: table, errors } = checks.gene(json);
        report([...errors, ...stemProblems('gene', table?.gene, stem)]);
        if (table) kb.genes.push(table);
        break;
      }
      case 'drug': {
        const { value: entry, errors } = checks.drug(json);
        report([...errors, ...stemProblems('key', entry?.key, stem)]);
        if (entry) kb.drugs.push(entry);
        break;
      }
      case 'combinations': {
        const { value: combinations, errors } = checks.combinations(json);
        report(errors);
        kb.combinations = combinations?.combinations ?? [];
        break;
      }
      case 'diagnosis': {
        const { value: entry, errors } = checks.diagnosis(json);
        report([...errors, ...stemProblems('key', entry?.key, stem)]);
        if (entry) kb.diagnoses.push(entry);
        break;
      }
      case 'indication': {
        const { value: entry, errors } = checks.indication(json);
        report([...errors, ...stemProblems('key', entry?.key, stem)]);
        if (!entry) break;
        const earlier = indicationFiles.get(entry.key);
        if (earlier) {
          report([`indication "${entry.key}" is also defined by ${earlier}`]);
          break;
        }
        indicationFiles.set(entry.key, file.path);
        kb.indications.push(entry);
        break;
      }
      case 'indication-negation': {
        const { value, errors } = checks.indicationNegation(json);
        report(errors);
        if (value) kb.indicationNegation = value;
        break;
      }
    }
  }
  if (!sawRuleset) problems.push({ file: 'ruleset.json', message: 'missing: it names the rule set version' });
  kb.ruleFiles = ruleFiles;
  kb.indicationFiles = indicationFiles;
  return { kb, problems };
}
