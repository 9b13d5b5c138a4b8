import { resolve } from 'node:path';
import { loadKnowledgeBase } from '../adapters/files/rules-directory';
import { prepareRuleSet } from '../core/pipeline';
import type { Problem } from '../core/ruleset/knowledge-base';
import { runCases } from '../core/ruleset/run-cases';

interface Options {
  rules?: string;
  json?: boolean;
}

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

function describeProblem(p: Problem): string {
  return `${p.file}${p.rule ? ` [${p.rule}]` : ''}: ${p.message}`;
}

async function load(options: Options) {
  const dir = options.rules ? resolve(options.rules) : undefined;
  return loadKnowledgeBase(dir);
}

/** `tailor rules validate`: 0 when valid, 1 when any problem was found. */
export async function rulesValidate(options: Options): Promise<number> {
  const { kb, problems } = await load(options);
  if (options.json) {
    out(JSON.stringify({ valid: problems.length === 0, version: kb.version, problems }, null, 2));
    return problems.length === 0 ? 0 : 1;
  }
  for (const problem of problems) err(describeProblem(problem));
  const counts = `${kb.rules.length} rules, ${kb.cases.length} case files, ${kb.genes.length} gene tables, ${kb.drugs.length} drugs, ${kb.diagnoses.length} diagnoses`;
  if (problems.length > 0) {
    err(
      `\n${problems.length} problem${problems.length === 1 ? '' : 's'} in rule set ${kb.version} (${counts})`,
    );
    return 1;
  }
  out(`Rule set ${kb.version} is valid: ${counts}`);
  return 0;
}

/** `tailor rules test`: validates, then runs every case; 0 only when all pass. */
export async function rulesTest(options: Options & { rule?: string }): Promise<number> {
  const { kb, problems } = await load(options);
  if (problems.length > 0) {
    if (options.json) out(JSON.stringify({ passed: false, problems }, null, 2));
    else {
      for (const problem of problems) err(describeProblem(problem));
      err(
        `\nNot testing: ${problems.length} validation problem${problems.length === 1 ? '' : 's'} (run tailor rules validate)`,
      );
    }
    return 1;
  }
  const results = await runCases(prepareRuleSet(kb, { includeDrafts: true }), options.rule);
  const failed = results.filter((r) => !r.passed);
  if (options.json) {
    out(JSON.stringify({ passed: failed.length === 0, version: kb.version, results }, null, 2));
  } else {
    for (const result of failed) {
      err(`FAIL ${result.file} [${result.rule}] "${result.name}" (${result.kind})`);
      for (const failure of result.failures) err(`     ${failure}`);
      for (const got of result.got) err(`     got: ${got.ruleId} → ${got.action}: ${got.summary}`);
    }
    const rules = new Set(results.map((r) => r.rule)).size;
    const summary = `${results.length - failed.length} passed, ${failed.length} failed (${results.length} cases of ${rules} rules, rule set ${kb.version})`;
    (failed.length ? err : out)(summary);
  }
  if (results.length === 0) {
    err(options.rule ? `No cases for rule "${options.rule}"` : 'No cases found');
    return 1;
  }
  return failed.length === 0 ? 0 : 1;
}
