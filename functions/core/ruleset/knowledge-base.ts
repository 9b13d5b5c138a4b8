import validSemver from 'semver/functions/valid';
import { validateDiagnosisEntry } from '../diagnoses/vocabulary';
import { validateCombinationFile, validateDrugEntry } from '../medications/vocabulary';
import { validateGeneTable } from '../phenotypes/gene-table';
import { checkIndication, checkIndicationNegation } from './indications';
import {
  type FileChecks,
  type KnowledgeBase,
  type Problem,
  readKnowledgeBase,
  type SourceFile,
} from './read-knowledge-base';
import { checkCases, checkRule, checkSharedConditions } from './schemas';

export {
  type Checked,
  type FileChecks,
  type KnowledgeBase,
  kindOf,
  type Problem,
  parseTrustedKnowledgeBase,
  readKnowledgeBase,
  type SourceFile,
  stemOf,
} from './read-knowledge-base';

/** The validators name their result differently; this gives it one name. */
function pick<R extends { errors: string[] }, T>(
  result: R,
  get: (r: R) => T | undefined,
): { value?: T; errors: string[] } {
  const value = get(result);
  return value === undefined ? { errors: result.errors } : { value, errors: result.errors };
}

/** Every file against its schema, then what a schema cannot say. */
export const SCHEMA_CHECKS: FileChecks = {
  version: (value): value is string => typeof value === 'string' && validSemver(value) !== null,
  sharedConditions: checkSharedConditions,
  rule: checkRule,
  cases: checkCases,
  gene: (json) => pick(validateGeneTable(json), (r) => r.table),
  drug: (json) => pick(validateDrugEntry(json), (r) => r.entry),
  combinations: (json) => pick(validateCombinationFile(json), (r) => r.file),
  diagnosis: (json) => pick(validateDiagnosisEntry(json), (r) => r.entry),
  indication: checkIndication,
  indicationNegation: checkIndicationNegation,
};

/**
 * Parses and schema-checks every file. Pure: the caller reads the files. Cross-references are checked
 * separately (validateKnowledgeBase), since they need the whole base. A stored version whose content hash
 * the store verified is read with parseTrustedKnowledgeBase instead (the service, without these validators).
 */
export function parseKnowledgeBase(files: readonly SourceFile[]): { kb: KnowledgeBase; problems: Problem[] } {
  return readKnowledgeBase(files, SCHEMA_CHECKS);
}
