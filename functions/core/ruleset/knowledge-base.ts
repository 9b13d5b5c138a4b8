import validSemver from 'semver/functions/valid';
import { type DiagnosisEntry, validateDiagnosisEntry } from '../diagnoses/vocabulary';
import {
  type DrugCombination,
  type DrugCombinationFile,
  type DrugEntry,
  validateCombinationFile,
  validateDrugEntry,
} from '../medications/vocabulary';
import { type GeneTable, validateGeneTable } from '../phenotypes/gene-table';
import type { CaseFile } from './cases-model';
import type { Condition, Rule } from './rule';
import { checkCases, checkRule, checkSharedConditions } from './schemas';

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

/** Everything a rule set is made of: rules with their cases, gene tables, drug vocabulary, diagnoses. */
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
  | 'ignored';

/** Which part of the knowledge base a file is, from its place in the tree. */
export function kindOf(path: string): Kind {
  if (path.startsWith('schema/') || !path.endsWith('.json')) return 'ignored';
  if (path === 'ruleset.json') return 'ruleset';
  if (path === 'shared-conditions.json') return 'shared-conditions';
  if (path.endsWith('.rule.json')) return 'rule';
  if (path.endsWith('.cases.json')) return 'cases';
  if (path.startsWith('genes/')) return 'gene';
  if (path === 'drugs/combinations.json') return 'combinations';
  if (path.startsWith('drugs/')) return 'drug';
  if (path.startsWith('diagnoses/')) return 'diagnosis';
  return 'ignored';
}

/** The validators name their result differently; this gives it one name. */
function pick<R extends { errors: string[] }, T>(
  result: R,
  get: (r: R) => T | undefined,
): { value?: T; errors: string[] } {
  const value = get(result);
  return value === undefined ? { errors: result.errors } : { value, errors: result.errors };
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

/**
 * Parses and schema-checks every file. Pure: the caller reads the files. Cross-references are checked
 * separately (validateKnowledgeBase), since they need the whole base.
 */
export function parseKnowledgeBase(
  files: readonly SourceFile[],
  options: { trusted?: boolean } = {},
): { kb: KnowledgeBase; problems: Problem[] } {
  // Trusted: a stored version whose content hash the store verified. It was validated and tested when it was
  // published, so its files are taken as they are (the service's cold start would otherwise compile and run
  // every schema again).
  const trust = options.trusted === true;
  const asIs = <T>(json: unknown) => ({ value: json as T, errors: [] as string[] });
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
    sharedConditions: {},
  };
  const ruleFiles = new Map<string, string>();
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
        if (typeof version === 'string' && validSemver(version)) kb.version = version;
        else report(['"version" must be a semantic version such as 1.2.0']);
        break;
      }
      case 'shared-conditions': {
        const { value, errors } = trust
          ? asIs<{ conditions: Record<string, Condition> }>(json)
          : checkSharedConditions(json);
        report(errors);
        if (value) kb.sharedConditions = value.conditions;
        break;
      }
      case 'rule': {
        const { value, errors } = trust ? asIs<Rule>(json) : checkRule(json);
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
        const { value, errors } = trust ? asIs<CaseFile>(json) : checkCases(json);
        report(errors, stem);
        if (value) kb.cases.push({ file: file.path, cases: value });
        break;
      }
      case 'gene': {
        const { value: table, errors } = trust
          ? asIs<GeneTable>(json)
          : pick(validateGeneTable(json), (r) => r.table);
        report([...errors, ...stemProblems('gene', table?.gene, stem)]);
        if (table) kb.genes.push(table);
        break;
      }
      case 'drug': {
        const { value: entry, errors } = trust
          ? asIs<DrugEntry>(json)
          : pick(validateDrugEntry(json), (r) => r.entry);
        report([...errors, ...stemProblems('key', entry?.key, stem)]);
        if (entry) kb.drugs.push(entry);
        break;
      }
      case 'combinations': {
        const { value: combinations, errors } = trust
          ? asIs<DrugCombinationFile>(json)
          : pick(validateCombinationFile(json), (r) => r.file);
        report(errors);
        kb.combinations = combinations?.combinations ?? [];
        break;
      }
      case 'diagnosis': {
        const { value: entry, errors } = trust
          ? asIs<DiagnosisEntry>(json)
          : pick(validateDiagnosisEntry(json), (r) => r.entry);
        report([...errors, ...stemProblems('key', entry?.key, stem)]);
        if (entry) kb.diagnoses.push(entry);
        break;
      }
    }
  }
  if (!sawRuleset) problems.push({ file: 'ruleset.json', message: 'missing: it names the rule set version' });
  kb.ruleFiles = ruleFiles;
  return { kb, problems };
}
