import { Engine, type TopLevelCondition } from 'json-rules-engine';
import type { ConditionFinding } from '../model';
import type { Condition, NestedCondition, Rule } from '../ruleset/rule';
import type { DiagnosisFact, GeneFact, PatientFacts, VariantsFact } from './facts';
import { OPERATORS } from './operators';

export interface RuleSetSource {
  /** The rule set's semver: every recommendation names it. */
  version: string;
  rules: readonly Rule[];
  /** Named sub-conditions that rules reference as { "condition": name }. */
  sharedConditions: Readonly<Record<string, Condition>>;
  /** An ingredient key or `class:<name>` → the ingredient keys it covers. */
  expandDrug: (entry: string) => readonly string[];
  /** Ingredient key → the name shown to clinicians. */
  drugName: (ingredient: string) => string;
  /** Ingredient key → its drug classes (rules match them as "class:<name>" in medication facts). */
  classesOf?: (ingredient: string) => readonly string[];
  /** Diagnosis key → the name shown to clinicians (default: the key). */
  diagnosisName?: (key: string) => string;
  /**
   * Recorded Conditions → the one indication they name (the rule set's rules/indications/), used when the
   * caller states none. Default: none is ever recognised.
   */
  indicationOf?: (conditions: readonly ConditionFinding[]) => string | undefined;
  /** Also evaluate draft rules (rule authors' tests); the service evaluates active rules only. */
  includeDrafts?: boolean;
}

export interface CompiledRuleSet {
  readonly version: string;
  readonly rules: ReadonlyMap<string, Rule>;
  readonly drugName: (ingredient: string) => string;
  readonly diagnosisName: (key: string) => string;
  /** Recorded Conditions → the one indication they name, or undefined. */
  readonly indicationOf: (conditions: readonly ConditionFinding[]) => string | undefined;
  /** Ingredient key → its classes as "class:<name>" tokens. */
  readonly classTokens: (ingredient: string) => readonly string[];
  /** One engine per ingredient holding only that ingredient's rules: an order meets only its own rules. */
  engineFor(ingredient: string): Engine | undefined;
  /** The ingredient's rules grouped by the findings they read (see Topic). */
  topicsFor(ingredient: string): readonly Topic[];
}

/**
 * Rules of one ingredient that read overlapping genes or diagnoses form a topic (warfarin: CYP2C9/VKORC1
 * dosing is one topic, protein C deficiency another). A topic in which no rule fired gets an explicit
 * not-tested / indeterminate / no-recommendation outcome, even when another topic fired.
 */
export interface Topic {
  genes: string[];
  diagnoses: string[];
  /** Risk alleles the topic's rules read (HLA): an allele typed ambiguously makes the topic indeterminate. */
  alleles: { gene: string; allele: string }[];
  rules: Rule[];
  /** Whether an untested topic gets an explicit not-tested outcome (true unless every rule opts out). */
  reportNotTested: boolean;
}

/** The runtime facts each engine run is given. */
export interface RunFacts {
  patient: PatientFacts;
  context: Record<string, unknown>;
  /** Every ingredient of every order and active medication, with their "class:<name>" tokens. */
  medications: string[];
  /** The same, without the order being evaluated: "what else is the patient on?" */
  otherMedications: string[];
  drug: string;
  /** The evaluated ingredient's "class:<name>" tokens. */
  drugClasses: string[];
}

/**
 * Builds the per-ingredient engines once, so each evaluation only runs the rules an order can meet.
 * Missing facts fail loudly (allowUndefinedFacts: false) rather than reading as "no finding".
 */
export function compileRuleSet(source: RuleSetSource): CompiledRuleSet {
  const rules = new Map<string, Rule>();
  const byIngredient = new Map<string, Rule[]>();
  for (const rule of source.rules) {
    if (rule.status === 'retired' || (rule.status === 'draft' && !source.includeDrafts)) continue;
    rules.set(rule.id, rule);
    for (const entry of rule.drugs) {
      for (const ingredient of source.expandDrug(entry)) {
        const list = byIngredient.get(ingredient) ?? [];
        if (!list.includes(rule)) list.push(rule);
        byIngredient.set(ingredient, list);
      }
    }
  }
  const engines = new Map<string, Engine>();
  const topics = new Map<string, Topic[]>();
  for (const [ingredient, list] of byIngredient) {
    list.sort((a, b) => (b.priority ?? 1) - (a.priority ?? 1) || a.id.localeCompare(b.id));
    engines.set(ingredient, buildEngine(list, source.sharedConditions));
    topics.set(ingredient, groupTopics(list));
  }
  return {
    version: source.version,
    rules,
    drugName: source.drugName,
    diagnosisName: source.diagnosisName ?? ((key) => key),
    indicationOf: source.indicationOf ?? (() => undefined),
    classTokens: (ingredient) => (source.classesOf?.(ingredient) ?? []).map((cls) => `class:${cls}`),
    engineFor: (ingredient) => engines.get(ingredient),
    topicsFor: (ingredient) => topics.get(ingredient) ?? [],
  };
}

/** Connected components of rules linked by a shared gene or diagnosis. */
function groupTopics(rules: readonly Rule[]): Topic[] {
  const topics: Topic[] = [];
  for (const rule of rules) {
    const reads = new Set([...(rule.genes ?? []), ...(rule.diagnoses ?? []).map((d) => `dx:${d}`)]);
    const linked = topics.filter((t) =>
      [...t.genes, ...t.diagnoses.map((d) => `dx:${d}`)].some((r) => reads.has(r)),
    );
    const alleles = [...linked.flatMap((t) => t.alleles), ...allelesRead(rule.conditions)];
    const merged: Topic = {
      genes: [...new Set([...linked.flatMap((t) => t.genes), ...(rule.genes ?? [])])].sort(),
      diagnoses: [...new Set([...linked.flatMap((t) => t.diagnoses), ...(rule.diagnoses ?? [])])].sort(),
      alleles: alleles.filter(
        (a, i) => alleles.findIndex((b) => b.gene === a.gene && b.allele === a.allele) === i,
      ),
      rules: [...linked.flatMap((t) => t.rules), rule],
      reportNotTested: linked.some((t) => t.reportNotTested) || rule.reportNotTested !== false,
    };
    for (const t of linked) topics.splice(topics.indexOf(t), 1);
    topics.push(merged);
  }
  return topics;
}

export function buildEngine(rules: readonly Rule[], shared: Readonly<Record<string, Condition>>): Engine {
  const engine = new Engine([], {
    allowUndefinedFacts: false,
    allowUndefinedConditions: false,
    pathResolver: resolvePath,
  });
  for (const [name, evaluator] of Object.entries(OPERATORS)) engine.addOperator(name, evaluator);
  for (const [name, condition] of Object.entries(shared))
    engine.setCondition(name, asEngineCondition(condition));
  engine.addFact<Promise<GeneFact>>('gene', async (params, almanac) =>
    (await patientOf(almanac)).gene(stringParam(params, 'gene')),
  );
  engine.addFact<Promise<string>>('allele', async (params, almanac) =>
    (await patientOf(almanac)).allele(stringParam(params, 'gene'), stringParam(params, 'allele')),
  );
  engine.addFact<Promise<VariantsFact>>('variants', async (params, almanac) => {
    const ids = params.ids;
    return (await patientOf(almanac)).variants(
      stringParam(params, 'gene'),
      Array.isArray(ids) ? ids.map(String) : undefined,
    );
  });
  engine.addFact<Promise<DiagnosisFact>>('diagnosis', async (params, almanac) =>
    (await patientOf(almanac)).diagnosis(stringParam(params, 'key')),
  );
  for (const rule of rules) {
    engine.addRule({
      name: rule.id,
      priority: rule.priority ?? 1,
      conditions: asEngineCondition(rule.conditions),
      event: { type: 'fired', params: { ruleId: rule.id } },
    });
  }
  return engine;
}

interface FactReader {
  factValue<T>(factId: string): Promise<T>;
}

function patientOf(almanac: FactReader): Promise<PatientFacts> {
  return almanac.factValue<PatientFacts>('patient');
}

function stringParam(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string') throw new RuleParamError(`fact parameter "${name}" must be a string`);
  return value;
}

export class RuleParamError extends Error {
  override name = 'RuleParamError';
}

function allelesRead(condition: NestedCondition): { gene: string; allele: string }[] {
  if ('fact' in condition) {
    const { gene, allele } = condition.params ?? {};
    return condition.fact === 'allele' && typeof gene === 'string' && typeof allele === 'string'
      ? [{ gene, allele }]
      : [];
  }
  if ('all' in condition) return condition.all.flatMap(allelesRead);
  if ('any' in condition) return condition.any.flatMap(allelesRead);
  if ('not' in condition) return allelesRead(condition.not);
  return [];
}

/**
 * Rule paths are "$.field" (validation allows nothing else), so a property read replaces the engine's
 * default JSONPath evaluation, the largest cost of a run.
 */
export function resolvePath(value: object, path: string): unknown {
  if (!path.startsWith('$.')) return undefined;
  let current: unknown = value;
  for (const key of path.slice(2).split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Our Condition type is json-rules-engine's, with fact and operator names narrowed. */
function asEngineCondition(condition: Condition): TopLevelCondition {
  return condition as TopLevelCondition;
}
