import type { GeneTable } from '../phenotypes/gene-table';
import { checkIndicationVocabulary } from './indications';
import type { KnowledgeBase, Problem } from './knowledge-base';
import { checkCaseCoverage, checkRuleReferences, contextValues, type ReferenceIndex } from './references';

/**
 * Cross-file checks over a parsed knowledge base: references between rules, genes, drugs, diagnoses and
 * cases. Together with parseKnowledgeBase this is `tailor rules validate`.
 */
export function validateKnowledgeBase(kb: KnowledgeBase): Problem[] {
  const problems: Problem[] = [];
  const refs = referenceIndex(kb);
  for (const rule of kb.rules) {
    const file = kb.ruleFiles.get(rule.id) ?? rule.id;
    for (const message of checkRuleReferences(rule, refs)) problems.push({ file, rule: rule.id, message });
  }
  const casesByRule = new Map<string, string>();
  for (const { file, cases } of kb.cases) {
    const stem = file.slice(file.lastIndexOf('/') + 1).replace(/\.cases\.json$/, '');
    if (cases.rule !== stem)
      problems.push({ file, rule: cases.rule, message: `"rule" must equal the file name stem "${stem}"` });
    const ruleFile = kb.ruleFiles.get(cases.rule);
    if (!ruleFile) problems.push({ file, rule: cases.rule, message: `no rule with id "${cases.rule}"` });
    else if (ruleFile.replace(/\.rule\.json$/, '') !== file.replace(/\.cases\.json$/, '')) {
      problems.push({ file, rule: cases.rule, message: `must sit beside its rule (${ruleFile})` });
    }
    casesByRule.set(cases.rule, file);
    for (const message of checkCaseCoverage(cases, refs.contextValues))
      problems.push({ file, rule: cases.rule, message });
  }
  for (const rule of kb.rules) {
    if (rule.status !== 'retired' && !casesByRule.has(rule.id)) {
      problems.push({
        file: kb.ruleFiles.get(rule.id) ?? rule.id,
        rule: rule.id,
        message: `has no example patients: add ${rule.id}.cases.json beside it`,
      });
    }
  }
  problems.push(...duplicateKeys(kb));
  problems.push(
    ...checkIndicationVocabulary(
      kb.indications,
      (key) => kb.indicationFiles.get(key) ?? `indications/${key}.json`,
      kb.indicationNegation !== undefined,
    ),
  );
  return problems;
}

function referenceIndex(kb: KnowledgeBase): ReferenceIndex {
  const ingredients = new Set(kb.drugs.map((d) => d.key));
  const classes = new Set<string>(kb.drugs.flatMap((d) => d.classes));
  const tables = new Map(kb.genes.map((t) => [t.gene, t]));
  const diagnosisGenes = new Set(kb.diagnoses.flatMap((d) => d.genes ?? []));
  const diagnoses = new Set(kb.diagnoses.map((d) => d.key));
  const values = new Map([...tables].map(([gene, table]) => [gene, valuesOf(table)]));
  const context = contextValues(kb.indications.map((i) => i.key));
  return {
    hasIngredient: (key) => ingredients.has(key),
    hasDrugClass: (name) => classes.has(name),
    geneKnown: (symbol) => tables.has(symbol) || diagnosisGenes.has(symbol),
    valuesOf: (symbol) => values.get(symbol),
    riskAllelesOf: (symbol) => new Set(tables.get(symbol)?.riskAlleles ?? []),
    hasDiagnosis: (key) => diagnoses.has(key),
    sharedCondition: (name) =>
      Object.hasOwn(kb.sharedConditions, name) ? kb.sharedConditions[name] : undefined,
    contextValues: (key) => (Object.hasOwn(context, key) ? context[key] : undefined),
  };
}

/** Every phenotype or lookup key a gene table can produce; activity scores are compared as numbers. */
function valuesOf(table: GeneTable): Set<string> {
  return new Set([
    'Indeterminate',
    ...(table.phenotypes ?? []).flatMap((p) => [p.phenotype, p.lookupKey ?? p.phenotype]),
    ...(table.activityScores ?? []).map((range) => range.phenotype),
  ]);
}

function duplicateKeys(kb: KnowledgeBase): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const [kind, keys] of [
    ['gene', kb.genes.map((g) => g.gene)],
    ['drug', kb.drugs.map((d) => d.key)],
    ['diagnosis', kb.diagnoses.map((d) => d.key)],
  ] as const) {
    for (const key of keys) {
      if (seen.has(`${kind}:${key}`))
        problems.push({ file: `${kind}s/${key}.json`, message: `${kind} "${key}" is defined twice` });
      seen.add(`${kind}:${key}`);
    }
  }
  return problems;
}
