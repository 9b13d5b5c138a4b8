import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Assessment, PreparedRuleSet } from '../core/pipeline';
import { assessResources, prepareRuleSet } from '../core/pipeline';
import { contextValues } from '../core/ruleset/references';
import { CliError, type CliIo, EXIT } from './io';
import { describeProblem, readWorkingRules } from './rules-commands';
import { type StoreOptions, withStore } from './store';
import { loadStoredRuleSet } from './store-commands';

export interface EvaluateOptions extends StoreOptions {
  rules?: string;
  /** A published version from the store, to reproduce what it advised. */
  version?: string;
  indication?: string;
  context?: string[];
  json?: boolean;
}

/**
 * `tailor evaluate <bundle.json>`: 0 when evaluated, 1 for a bad rule set or a version the store refuses,
 * 2 for unreadable input, 3 when the store cannot be reached.
 */
export async function evaluateCommand(file: string, options: EvaluateOptions, io: CliIo): Promise<number> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      EXIT.usage,
      'usage',
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new CliError(EXIT.usage, 'usage', `${file}: not valid JSON: ${(error as Error).message}`);
  }
  const context = parseContext(options);
  if (options.version !== undefined && options.rules !== undefined) {
    throw new CliError(
      EXIT.usage,
      'usage',
      '--version (a stored rule set) and --rules (a directory) exclude each other',
    );
  }
  const ruleSet = options.version
    ? await withStore(
        options,
        io,
        async (store) => (await loadStoredRuleSet(store.rules, options.version!)).ruleSet,
      )
    : await workingRuleSet(options, io);
  checkContext(context, ruleSet);
  const assessment = await assessResources(input, ruleSet, { clinical: context });
  const version = ruleSet.kb.version;
  if (options.json) io.out(JSON.stringify({ ruleSetVersion: version, ...assessment }, null, 2));
  else io.out(formatAssessment(assessment, version));
  return EXIT.ok;
}

async function workingRuleSet(options: EvaluateOptions, io: CliIo): Promise<PreparedRuleSet> {
  const { kb, problems } = await readWorkingRules(options.rules, io);
  if (problems.length > 0) {
    for (const p of problems) io.err(describeProblem(p));
    throw new CliError(EXIT.refused, 'invalid', 'The rule set is not valid; nothing was evaluated.');
  }
  return prepareRuleSet(kb);
}

function parseContext(options: EvaluateOptions): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  const usage = (message: string) => new CliError(EXIT.usage, 'usage', message);
  if (options.indication) context.indication = options.indication;
  for (const pair of options.context ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`--context expects key=value, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    context[pair.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return context;
}

/** The stated context against what the rule set knows: its own indications, and the fixed context keys. */
function checkContext(context: Record<string, unknown>, ruleSet: PreparedRuleSet): void {
  const known = contextValues(ruleSet.indications);
  for (const [key, value] of Object.entries(context)) {
    const allowed = known[key];
    if (!allowed)
      throw new CliError(
        EXIT.usage,
        'usage',
        `unknown context "${key}"; known: ${Object.keys(known).join(', ')}`,
      );
    if (!allowed.includes(value))
      throw new CliError(EXIT.usage, 'usage', `${key} must be one of ${allowed.join(', ')}`);
  }
}

const MARK = { critical: 'CRITICAL', warning: 'WARNING ', info: 'info    ' } as const;

/** Readable text: the findings first, then each order with what Tailor advises and why. */
export function formatAssessment({ findings, orders, recommendations }: Assessment, version: string): string {
  const lines: string[] = [`Rule set ${version}`, '', 'Genomic findings:'];
  if (findings.genes.length === 0 && findings.variants.length === 0 && findings.conditions.length === 0) {
    lines.push('  none (no genomic results in the input: nothing can be called normal)');
  }
  for (const g of findings.genes) {
    const result = [g.diplotype, g.phenotype ?? g.lookupKey].filter(Boolean).join(' ');
    const flag = g.status === 'called' ? '' : ` [${g.status.toUpperCase()}]`;
    lines.push(`  ${g.gene}: ${result}${flag}${g.origin === 'somatic' ? ' (somatic)' : ''}`);
    for (const note of g.notes) lines.push(`      note: ${note}`);
  }
  for (const v of findings.variants) {
    lines.push(
      `  ${v.gene} variant ${v.ids[0] ?? v.hgvs.c ?? '?'}: ${v.presence}, ${v.zygosity}, ${v.significance}, ${v.origin}`,
    );
  }
  for (const c of findings.conditions) {
    lines.push(
      `  diagnosis: ${c.text ?? c.codes[0]?.display ?? c.key ?? 'unnamed'}${c.key ? ` (${c.key})` : ''} [${c.verification}]`,
    );
  }
  for (const issue of findings.issues)
    lines.push(`  reader ${issue.severity}: ${issue.message}${issue.resource ? ` (${issue.resource})` : ''}`);
  lines.push('', 'Orders:');
  if (orders.length === 0) lines.push('  none (no MedicationRequest in the input)');
  for (const order of orders) {
    const ingredients = order.ingredients.length > 0 ? order.ingredients.join(', ') : 'NOT RECOGNISED';
    lines.push(`  ${order.display} → ${ingredients}`);
    const recs = recommendations.filter((r) => r.orderId === order.id);
    // Rules for rare conditions stay silent when nothing is recorded (reportNotTested: false).
    if (recs.length === 0 && order.ingredients.length > 0)
      lines.push('      no genomic advice for this order');
    for (const r of recs) {
      lines.push(`    ${MARK[r.indicator]} ${r.action}: ${r.summary}`);
      const genes = r.genes.map((g) => `${g.gene} ${g.lookupKey}`).join(', ');
      lines.push(
        `      rule ${r.ruleId} v${r.ruleVersion} · rule set ${r.ruleSetVersion} · ${r.classification}${genes ? ` · ${genes}` : ''}`,
      );
      if (r.alternatives.length > 0)
        lines.push(`      alternatives: ${r.alternatives.map((a) => a.ingredient ?? a.text).join(', ')}`);
      for (const e of r.evidence.slice(0, 2))
        lines.push(`      evidence: ${e.source} ${e.guideline} (${e.version}) ${e.url}`);
    }
  }
  return lines.join('\n');
}
