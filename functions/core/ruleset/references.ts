import { BUILT_IN_INDICATIONS } from '../engine/indication';
import { placeholdersIn } from '../engine/text';
import type { CaseFile } from './cases-model';
import type { Condition, FactCondition, NestedCondition, Rule } from './rule';

/** What the rest of the knowledge base offers a rule to refer to. */
export interface ReferenceIndex {
  hasIngredient(key: string): boolean;
  hasDrugClass(name: string): boolean;
  /** A gene with a table in rules/genes, or a gene a diagnosis names (read through variants). */
  geneKnown(symbol: string): boolean;
  /** Every phenotype and lookup key the gene's table can give (undefined: no table). */
  valuesOf(symbol: string): ReadonlySet<string> | undefined;
  /** Risk alleles the gene's table tracks (HLA). */
  riskAllelesOf(symbol: string): ReadonlySet<string> | undefined;
  hasDiagnosis(key: string): boolean;
  /** A named condition from rules/shared-conditions.json. */
  sharedCondition(name: string): Condition | undefined;
  /** Every value a context key can take in this rule set (undefined: not a context key). */
  contextValues(key: string): readonly unknown[] | undefined;
}

/**
 * The clinical context rules may read, with every value each key can take, for a rule set whose
 * rules/indications/ define `indications`: those plus the built-in unknown, malignancy and non-malignant.
 */
export function contextValues(indications: readonly string[]): Readonly<Record<string, readonly unknown[]>> {
  return {
    indication: [...indications, ...BUILT_IN_INDICATIONS],
    sex: ['female', 'male', 'unknown'],
    pregnant: [true, false],
    drugNaive: [true, false],
    thrombosisHistory: [true, false],
  };
}

/**
 * The context values of the bundled rule set's indications. Validation takes the indications from the
 * rule set it checks (contextValues); this is for callers that have no rule set at hand.
 */
export const CONTEXT_VALUES = contextValues(['acs-pci', 'other-cardiovascular', 'neurovascular']);

const GENE_PATHS = new Set(['$.status', '$.lookupKey', '$.phenotype', '$.activityScore', '$.diplotype']);
const VARIANT_PATHS = new Set(['$.tested', '$.pathogenic', '$.unclassified', '$.uncertain', '$.benign']);
const GENE_STATUSES = new Set(['called', 'indeterminate', 'conflict', 'not-tested']);

/**
 * Checks beyond the schema: every gene, drug, diagnosis, fact parameter and compared value refers to
 * something that exists, so a typo ("Poor Metaboliser") fails validation instead of never firing.
 */
export function checkRuleReferences(rule: Rule, refs: ReferenceIndex): string[] {
  const problems: string[] = [];
  const genes = new Set(rule.genes ?? []);
  const diagnoses = new Set(rule.diagnoses ?? []);
  for (const entry of rule.drugs) {
    if (entry.startsWith('class:')) {
      if (!refs.hasDrugClass(entry.slice(6)))
        problems.push(`drugs: no ingredient has class "${entry.slice(6)}"`);
    } else if (!refs.hasIngredient(entry)) {
      problems.push(`drugs: unknown ingredient "${entry}" (not in rules/drugs)`);
    }
  }
  for (const gene of genes) if (!refs.geneKnown(gene)) problems.push(`genes: unknown gene "${gene}"`);
  for (const key of diagnoses)
    if (!refs.hasDiagnosis(key)) problems.push(`diagnoses: unknown diagnosis "${key}"`);
  for (const alt of rule.outcome.alternatives ?? []) {
    if (alt.drug && !refs.hasIngredient(alt.drug))
      problems.push(`outcome.alternatives: unknown ingredient "${alt.drug}"`);
  }
  const longest = longestSummary(rule, refs);
  if (longest > 139) {
    problems.push(
      `outcome.summary: can reach ${longest} characters once filled in; CDS Hooks cards allow under 140`,
    );
  }
  for (const text of [rule.outcome.summary, rule.outcome.detail]) {
    for (const placeholder of placeholdersIn(text)) {
      if (placeholder.gene && !genes.has(placeholder.gene)) {
        problems.push(
          `outcome: placeholder {${placeholder.gene}.${placeholder.field}} names a gene not in "genes"`,
        );
      }
    }
  }
  // Shared conditions are checked as part of each rule that uses them: the genes they read must be the rule's.
  const expanding = new Set<string>();
  const onLeaf = (leaf: FactCondition) => problems.push(...checkLeaf(leaf, genes, diagnoses, refs));
  const onRef = (name: string) => {
    const shared = refs.sharedCondition(name);
    if (!shared) problems.push(`conditions: unknown shared condition "${name}"`);
    else if (expanding.has(name)) problems.push(`conditions: shared condition "${name}" refers to itself`);
    else {
      expanding.add(name);
      walk(shared, onLeaf, onRef);
      expanding.delete(name);
    }
  };
  walk(rule.conditions, onLeaf, onRef);
  if (genes.size === 0 && diagnoses.size === 0) {
    problems.push('a rule must read at least one gene or diagnosis (list them in "genes" / "diagnoses")');
  }
  return problems;
}

/** The summary's length with every placeholder filled by the longest value it can take. */
function longestSummary(rule: Rule, refs: ReferenceIndex): number {
  const drugLength = Math.max(20, ...rule.drugs.filter((d) => !d.startsWith('class:')).map((d) => d.length));
  let length = rule.outcome.summary.length;
  for (const placeholder of placeholdersIn(rule.outcome.summary)) {
    const values = placeholder.gene ? [...(refs.valuesOf(placeholder.gene) ?? [])] : [];
    const filled =
      placeholder.field === 'drug'
        ? drugLength
        : placeholder.field === 'phenotype' || placeholder.field === 'lookupKey'
          ? Math.max(12, ...values.map((v) => v.length))
          : placeholder.field === 'diplotype'
            ? 16
            : 4;
    length += filled - `{${placeholder.gene ? `${placeholder.gene}.` : ''}${placeholder.field}}`.length;
  }
  return length;
}

function checkLeaf(
  leaf: FactCondition,
  genes: Set<string>,
  diagnoses: Set<string>,
  refs: ReferenceIndex,
): string[] {
  const problems: string[] = [];
  const where = `conditions (${leaf.fact} ${leaf.operator})`;
  const param = (name: string): string | undefined => {
    const value = leaf.params?.[name];
    if (typeof value !== 'string') {
      problems.push(`${where}: params.${name} is required`);
      return undefined;
    }
    return value;
  };
  switch (leaf.fact) {
    case 'gene': {
      const gene = param('gene');
      if (gene && !genes.has(gene))
        problems.push(`${where}: gene "${gene}" is read but not listed in "genes"`);
      if (!leaf.path || !GENE_PATHS.has(leaf.path)) {
        problems.push(`${where}: path must be one of ${[...GENE_PATHS].join(', ')}`);
        break;
      }
      if (leaf.path === '$.status') {
        for (const v of compared(leaf.value))
          if (!GENE_STATUSES.has(String(v))) problems.push(`${where}: unknown status "${v}"`);
      }
      if (gene && (leaf.path === '$.phenotype' || leaf.path === '$.lookupKey')) {
        const known = refs.valuesOf(gene);
        for (const v of compared(leaf.value)) {
          if (known && !known.has(String(v))) problems.push(`${where}: ${gene} never has the value "${v}"`);
        }
      }
      if (
        leaf.path === '$.activityScore' &&
        leaf.operator !== 'scoreBetween' &&
        typeof leaf.value !== 'number'
      ) {
        problems.push(`${where}: compare $.activityScore with a number or scoreBetween [min, max]`);
      }
      break;
    }
    case 'allele': {
      const gene = param('gene');
      const allele = param('allele');
      if (gene && !genes.has(gene))
        problems.push(`${where}: gene "${gene}" is read but not listed in "genes"`);
      const tracked = gene ? refs.riskAllelesOf(gene) : undefined;
      if (gene && allele && !tracked?.has(allele))
        problems.push(`${where}: ${gene} table does not track allele "${allele}"`);
      for (const v of compared(leaf.value)) {
        if (!['positive', 'negative', 'indeterminate', 'not-tested'].includes(String(v))) {
          problems.push(`${where}: unknown allele status "${v}"`);
        }
      }
      break;
    }
    case 'variants': {
      const gene = param('gene');
      if (gene && !genes.has(gene))
        problems.push(`${where}: gene "${gene}" is read but not listed in "genes"`);
      if (!leaf.path || !VARIANT_PATHS.has(leaf.path))
        problems.push(`${where}: path must be one of ${[...VARIANT_PATHS].join(', ')}`);
      break;
    }
    case 'diagnosis': {
      const key = param('key');
      if (key && !diagnoses.has(key))
        problems.push(`${where}: diagnosis "${key}" is read but not listed in "diagnoses"`);
      for (const v of compared(leaf.value)) {
        if (!['present', 'refuted', 'not-recorded'].includes(String(v)))
          problems.push(`${where}: unknown diagnosis state "${v}"`);
      }
      break;
    }
    case 'medications':
    case 'otherMedications':
    case 'drug':
    case 'drugClasses':
      for (const v of compared(leaf.value)) {
        if (typeof v !== 'string') problems.push(`${where}: compare with ingredient keys or class:<name>`);
        else if (v.startsWith('class:')) {
          if (!refs.hasDrugClass(v.slice(6)))
            problems.push(`${where}: no ingredient has class "${v.slice(6)}"`);
        } else if (!refs.hasIngredient(v)) problems.push(`${where}: unknown ingredient "${v}"`);
      }
      break;
    case 'context': {
      const key = leaf.path?.replace(/^\$\./, '');
      const allowed = key === undefined ? undefined : refs.contextValues(key);
      if (!allowed) {
        problems.push(
          `${where}: path must be one of ${Object.keys(CONTEXT_VALUES)
            .map((k) => `$.${k}`)
            .join(', ')}`,
        );
        break;
      }
      for (const v of compared(leaf.value)) {
        if (!allowed.includes(v))
          problems.push(`${where}: ${key} is never ${JSON.stringify(v)}${hint(key ?? '')}`);
      }
      break;
    }
  }
  return problems;
}

function compared(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function walk(
  condition: NestedCondition,
  onLeaf: (leaf: FactCondition) => void,
  onRef: (name: string) => void,
): void {
  if ('fact' in condition) {
    onLeaf(condition);
    return;
  }
  const c = condition as Condition;
  if ('all' in c) for (const child of c.all) walk(child, onLeaf, onRef);
  else if ('any' in c) for (const child of c.any) walk(child, onLeaf, onRef);
  else if ('not' in c) walk(c.not, onLeaf, onRef);
  else onRef(c.condition);
}

/** Where an unknown indication value can be defined. */
function hint(key: string): string {
  return key === 'indication' ? ' (define it in rules/indications/ or use a built-in value)' : '';
}

/**
 * A rule's cases must include a positive, a negative and a missing-data or indeterminate patient, and use
 * only context keys and values the rule set knows (`values`: see contextValues).
 */
export function checkCaseCoverage(
  file: CaseFile,
  values: (key: string) => readonly unknown[] | undefined = (key) => CONTEXT_VALUES[key],
): string[] {
  const kinds = new Set(file.cases.map((c) => c.kind));
  const problems: string[] = [];
  if (!kinds.has('positive')) problems.push('needs at least one positive case');
  if (!kinds.has('negative')) problems.push('needs at least one negative case');
  if (!kinds.has('missing-data') && !kinds.has('indeterminate'))
    problems.push('needs a missing-data or indeterminate case');
  const names = new Set<string>();
  for (const c of file.cases) {
    for (const [key, value] of Object.entries(c.context ?? {})) {
      const allowed = values(key);
      if (!allowed) problems.push(`case "${c.name}": unknown context "${key}"`);
      else if (!allowed.includes(value))
        problems.push(`case "${c.name}": context ${key} is never ${JSON.stringify(value)}${hint(key)}`);
    }
    if (names.has(c.name)) problems.push(`case name "${c.name}" is used twice`);
    names.add(c.name);
  }
  return problems;
}
