import { resolve } from 'node:path';
import { BUNDLED_RULES_DIR, readRulesDirectory } from '../adapters/files/rules-directory';
import { prepareRuleSet } from '../core/pipeline';
import type { RuleSetFile } from '../core/ports';
import { type KnowledgeBase, type Problem, parseKnowledgeBase } from '../core/ruleset/knowledge-base';
import { type CaseResult, runCases } from '../core/ruleset/run-cases';
import { validateKnowledgeBase } from '../core/ruleset/validate';
import { type CliIo, EXIT, plural } from './io';

export interface RulesDirOptions {
  rules?: string;
  json?: boolean;
}

/** The rules directory on disk: what `publish` would store, and what validation says of it. */
export interface WorkingRules {
  dir: string;
  /** Every JSON file but the schemas (the schemas are code's contract, not a rule set's content). */
  files: RuleSetFile[];
  kb: KnowledgeBase;
  problems: Problem[];
}

export async function readWorkingRules(dir: string | undefined, io: CliIo): Promise<WorkingRules> {
  const path = dir ? resolve(io.cwd, dir) : BUNDLED_RULES_DIR;
  const files = (await readRulesDirectory(path)).filter((file) => !file.path.startsWith('schema/'));
  const { kb, problems } = parseKnowledgeBase(files);
  return { dir: path, files, kb, problems: [...problems, ...validateKnowledgeBase(kb)] };
}

export function describeProblem(p: Problem): string {
  return `${p.file}${p.rule ? ` [${p.rule}]` : ''}: ${p.message}`;
}

export function describeCounts(kb: KnowledgeBase): string {
  return `${plural(kb.rules.length, 'rule')}, ${plural(kb.cases.length, 'case file')}, ${plural(kb.genes.length, 'gene table')}, ${plural(kb.drugs.length, 'drug')}, ${plural(kb.diagnoses.length, 'diagnosis', 'diagnoses')}`;
}

/** Every case of every rule, drafts included (authors test drafts before they go live). */
export function runWorkingCases(kb: KnowledgeBase, only?: string): Promise<CaseResult[]> {
  return runCases(prepareRuleSet(kb, { includeDrafts: true }), only);
}

export function reportFailedCases(results: readonly CaseResult[], io: CliIo): void {
  for (const result of results.filter((r) => !r.passed)) {
    io.err(`FAIL ${result.file} [${result.rule}] "${result.name}" (${result.kind})`);
    for (const failure of result.failures) io.err(`     ${failure}`);
    for (const got of result.got) io.err(`     got: ${got.ruleId} → ${got.action}: ${got.summary}`);
  }
}

/** `tailor rules validate`: 0 when valid, 1 when any problem was found. */
export async function rulesValidate(options: RulesDirOptions, io: CliIo): Promise<number> {
  const { kb, problems } = await readWorkingRules(options.rules, io);
  if (options.json) {
    io.out(JSON.stringify({ valid: problems.length === 0, version: kb.version, problems }, null, 2));
    return problems.length === 0 ? EXIT.ok : EXIT.refused;
  }
  for (const problem of problems) io.err(describeProblem(problem));
  if (problems.length > 0) {
    io.err(`\n${plural(problems.length, 'problem')} in rule set ${kb.version} (${describeCounts(kb)})`);
    return EXIT.refused;
  }
  io.out(`Rule set ${kb.version} is valid: ${describeCounts(kb)}`);
  return EXIT.ok;
}

/** `tailor rules test`: validates, then runs every case; 0 only when all pass. */
export async function rulesTest(options: RulesDirOptions & { rule?: string }, io: CliIo): Promise<number> {
  const { kb, problems } = await readWorkingRules(options.rules, io);
  if (problems.length > 0) {
    if (options.json) io.out(JSON.stringify({ passed: false, problems }, null, 2));
    else {
      for (const problem of problems) io.err(describeProblem(problem));
      io.err(`\nNot testing: ${plural(problems.length, 'validation problem')} (run tailor rules validate)`);
    }
    return EXIT.refused;
  }
  const results = await runWorkingCases(kb, options.rule);
  const failed = results.filter((r) => !r.passed);
  if (options.json) {
    io.out(JSON.stringify({ passed: failed.length === 0, version: kb.version, results }, null, 2));
  } else {
    reportFailedCases(results, io);
    const rules = new Set(results.map((r) => r.rule)).size;
    const summary = `${results.length - failed.length} passed, ${failed.length} failed (${results.length} cases of ${plural(rules, 'rule')}, rule set ${kb.version})`;
    (failed.length ? io.err : io.out)(summary);
  }
  if (results.length === 0) {
    io.err(options.rule ? `No cases for rule "${options.rule}"` : 'No cases found');
    return EXIT.refused;
  }
  return failed.length === 0 ? EXIT.ok : EXIT.refused;
}
