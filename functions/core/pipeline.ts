import { createDiagnosisVocabulary, type DiagnosisVocabulary, matchDiagnosis } from './diagnoses/vocabulary';
import { type CompiledRuleSet, compileRuleSet } from './engine/compile';
import { type EvaluationContext, evaluate } from './engine/evaluate';
import { createIndicationMatcher } from './engine/indication';
import { readFindings } from './findings/read-findings';
import { readOrders } from './medications/orders';
import { createDrugVocabulary, type DrugClass, type DrugVocabulary } from './medications/vocabulary';
import type { Findings, Order, RawFindings, Recommendation } from './model';
import { deriveGeneResults } from './phenotypes/derive';
import type { GeneTable } from './phenotypes/gene-table';
import type { KnowledgeBase } from './ruleset/knowledge-base';
import { PRE_1_1_INDICATIONS } from './ruleset/legacy-indications';

/** A knowledge base made ready to answer: vocabularies indexed and engines built, once per version. */
export interface PreparedRuleSet {
  kb: KnowledgeBase;
  compiled: CompiledRuleSet;
  tables: ReadonlyMap<string, GeneTable>;
  drugs: DrugVocabulary;
  diagnoses: DiagnosisVocabulary;
  /** The indications its vocabulary recognises (the keys a caller may state as context.indication). */
  indications: readonly string[];
}

export function prepareRuleSet(
  kb: KnowledgeBase,
  options: { includeDrafts?: boolean } = {},
): PreparedRuleSet {
  const drugs = createDrugVocabulary(kb.drugs, kb.combinations);
  const diagnoses = createDiagnosisVocabulary(kb.diagnoses);
  // A version published before indications were rule data has none: it keeps the vocabulary it was built with.
  const vocabulary =
    kb.indications.length > 0
      ? { entries: kb.indications, negation: kb.indicationNegation }
      : PRE_1_1_INDICATIONS;
  const indicationOf = createIndicationMatcher(vocabulary.entries, vocabulary.negation);
  const compiled = compileRuleSet({
    version: kb.version,
    rules: kb.rules,
    sharedConditions: kb.sharedConditions,
    expandDrug: (entry) =>
      entry.startsWith('class:') ? drugs.ingredientsOfClass(entry.slice(6) as DrugClass) : [entry],
    drugName: (key) => drugs.get(key)?.names.en[0] ?? key,
    classesOf: (key) => drugs.get(key)?.classes ?? [],
    diagnosisName: (key) => diagnoses.entries.get(key)?.names.en[0] ?? key,
    indicationOf,
    includeDrafts: options.includeDrafts ?? false,
  });
  return {
    kb,
    compiled,
    tables: new Map(kb.genes.map((table) => [table.gene, table])),
    drugs,
    diagnoses,
    indications: vocabulary.entries.map((entry) => entry.key),
  };
}

/**
 * One hypothetical order per drug the rules concern, each alone: what a patient's genome means for every drug
 * (the patient-view profile, the SMART app's affected drugs).
 */
export function ordersForEveryRuleDrug(ruleSet: PreparedRuleSet): Order[] {
  return ruleSet.drugs
    .keys()
    .filter((key) => ruleSet.compiled.engineFor(key) !== undefined)
    .map((key) => ({
      id: `profile-${key}`,
      display: key,
      ingredients: [key],
      matchedBy: {},
      unmatchedCodes: [],
    }));
}

/** Raw findings → interpreted findings: phenotypes derived, conflicts flagged, diagnoses named. */
export function interpretFindings(raw: RawFindings, ruleSet: PreparedRuleSet): Findings {
  return {
    genes: deriveGeneResults(raw, ruleSet.tables),
    variants: raw.variants,
    conditions: raw.conditions.map((condition) => {
      const key = condition.key ?? matchDiagnosis(condition, ruleSet.diagnoses);
      return key ? { ...condition, key } : condition;
    }),
    issues: raw.issues,
  };
}

export interface Assessment {
  findings: Findings;
  orders: Order[];
  recommendations: Recommendation[];
}

/**
 * The whole pipeline over FHIR resources that hold both the patient's genomic results and the orders
 * (a Bundle, a prefetch map or a list): every MedicationRequest is treated as an order.
 */
export async function assessResources(
  resources: unknown,
  ruleSet: PreparedRuleSet,
  context: EvaluationContext = {},
): Promise<Assessment> {
  const findings = interpretFindings(readFindings(resources), ruleSet);
  const orders = readOrders(resources, ruleSet.drugs);
  const recommendations = await evaluate(ruleSet.compiled, findings, orders, context);
  return { findings, orders, recommendations };
}
