import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadKnowledgeBase } from '../adapters/files/rules-directory';
import type { Assessment } from '../core/pipeline';
import { assessResources, prepareRuleSet } from '../core/pipeline';
import { CONTEXT_VALUES } from '../core/ruleset/references';
import type { EvaluateOptions } from './main';

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

/** `tailor evaluate <bundle.json>`: 0 when evaluated, 1 for a bad rule set, 2 for unreadable input. */
export async function evaluateCommand(file: string, options: EvaluateOptions): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    err(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return 2;
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    err(`${file}: not valid JSON: ${(error as Error).message}`);
    return 2;
  }
  const context = parseContext(options);
  if (typeof context === 'string') {
    err(context);
    return 2;
  }
  const { kb, problems } = await loadKnowledgeBase(options.rules ? resolve(options.rules) : undefined);
  if (problems.length > 0) {
    for (const p of problems) err(`${p.file}${p.rule ? ` [${p.rule}]` : ''}: ${p.message}`);
    err('The rule set is not valid; nothing was evaluated.');
    return 1;
  }
  const assessment = await assessResources(input, prepareRuleSet(kb), { clinical: context });
  if (options.json) out(JSON.stringify({ ruleSetVersion: kb.version, ...assessment }, null, 2));
  else out(formatAssessment(assessment, kb.version));
  return 0;
}

function parseContext(options: EvaluateOptions): Record<string, unknown> | string {
  const context: Record<string, unknown> = {};
  if (options.indication) context.indication = options.indication;
  for (const pair of options.context ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return `--context expects key=value, got "${pair}"`;
    const raw = pair.slice(eq + 1);
    context[pair.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  for (const [key, value] of Object.entries(context)) {
    const allowed = CONTEXT_VALUES[key];
    if (!allowed) return `unknown context "${key}"; known: ${Object.keys(CONTEXT_VALUES).join(', ')}`;
    if (!allowed.includes(value)) return `${key} must be one of ${allowed.join(', ')}`;
  }
  return context;
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
    if (recs.length === 0 && order.ingredients.length > 0)
      lines.push('      no genomic rule concerns this drug');
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
