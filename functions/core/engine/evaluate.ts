import type { Action, Evidence, Findings, Indicator, Order, Recommendation, Strength } from '../model';
import type { Rule } from '../ruleset/rule';
import type { CompiledRuleSet, RunFacts, Topic } from './compile';
import { PatientFacts } from './facts';
import { cardSummary, fillPlaceholders } from './text';

export interface EvaluationContext {
  /**
   * Clinical context the rules may read through the `context` fact (indication, sex, pregnant ...). Without an
   * indication, one is read from the patient's Conditions when they name exactly one of the rule set's
   * indications (rules/indications/, matched by indication.ts).
   */
  clinical?: Record<string, unknown>;
  /** Ingredient keys of the patient's active medications (for combination rules). */
  activeMedications?: readonly string[];
}

/** The engine's own outcomes when no rule fires: explicit answers, never silence. */
export const ENGINE_RULE_VERSION = '1.0.0';
export const NOT_TESTED_RULE = 'tailor-not-tested';
export const INDETERMINATE_RULE = 'tailor-indeterminate';
export const NO_MATCH_RULE = 'tailor-no-matching-rule';

/**
 * Evaluates every order against the rules that concern its ingredients. Deterministic: the same rule set,
 * findings, orders and context always give the same recommendations in the same order.
 */
export async function evaluate(
  ruleSet: CompiledRuleSet,
  findings: Findings,
  orders: readonly Order[],
  context: EvaluationContext = {},
): Promise<Recommendation[]> {
  const patient = new PatientFacts(findings);
  const withClasses = (keys: readonly string[]) =>
    [...new Set(keys.flatMap((key) => [key, ...ruleSet.classTokens(key)]))].sort();
  const active = context.activeMedications ?? [];
  const medications = withClasses([...orders.flatMap((order) => order.ingredients), ...active]);
  // A stated indication wins; otherwise it is read from the recorded Conditions, else unknown.
  const clinical = {
    indication: ruleSet.indicationOf(findings.conditions) ?? 'unknown',
    ...context.clinical,
  };
  const recommendations: Recommendation[] = [];
  for (const order of orders) {
    const forOrder: Recommendation[] = [];
    const firedRules = new Set<string>();
    for (const drug of order.ingredients) {
      const engine = ruleSet.engineFor(drug);
      if (!engine) continue;
      const facts: RunFacts = {
        patient,
        context: clinical,
        medications,
        otherMedications: withClasses([
          ...orders.filter((o) => o !== order).flatMap((o) => o.ingredients),
          ...active,
        ]),
        drug,
        drugClasses: [...ruleSet.classTokens(drug)],
      };
      const { events } = await engine.run(facts);
      const fired = events.map((event) => String(event.params?.ruleId));
      for (const ruleId of fired) {
        if (firedRules.has(ruleId)) continue;
        firedRules.add(ruleId);
        const rule = ruleSet.rules.get(ruleId);
        if (rule) forOrder.push(fromRule(rule, ruleSet, patient, order.id, drug));
      }
      for (const topic of ruleSet.topicsFor(drug)) {
        if (topic.rules.some((rule) => fired.includes(rule.id))) continue;
        const outcome = fallback(ruleSet, topic, patient, order.id, drug);
        if (outcome.action !== 'not-tested' || topic.reportNotTested) forOrder.push(outcome);
      }
    }
    recommendations.push(...forOrder.sort(bySeverity));
  }
  return recommendations;
}

function fromRule(
  rule: Rule,
  ruleSet: CompiledRuleSet,
  patient: PatientFacts,
  orderId: string,
  drug: string,
): Recommendation {
  const classification = rule.evidence[0]?.strength ?? 'No recommendation';
  const fill = (text: string) => fillPlaceholders(text, { drug: ruleSet.drugName(drug), patient });
  return {
    ruleId: rule.id,
    ruleVersion: rule.version,
    ruleSetVersion: ruleSet.version,
    orderId,
    drug,
    genes: (rule.genes ?? []).map((gene) => ({ gene, ...patient.geneSummary(gene) })),
    diagnoses: (rule.diagnoses ?? []).map((key) => ({ key, state: patient.diagnosis(key) })),
    classification,
    action: rule.outcome.action,
    indicator: rule.outcome.indicator ?? defaultIndicator(rule.outcome.action, classification),
    summary: cardSummary(fill(rule.outcome.summary)),
    detail: fill(rule.outcome.detail),
    alternatives: (rule.outcome.alternatives ?? []).map((alt) =>
      alt.drug ? { ingredient: alt.drug, text: alt.text } : { text: alt.text },
    ),
    populationNotes: rule.outcome.populationNotes ?? [],
    evidence: rule.evidence,
  };
}

/** Critical only for a Strong recommendation to avoid the drug; never critical for an engine fallback. */
export function defaultIndicator(action: Action, strength: Strength): Indicator {
  switch (action) {
    case 'avoid':
    case 'use-alternative':
      return strength === 'Strong' ? 'critical' : 'warning';
    case 'adjust-dose':
      return 'warning';
    case 'monitor':
    case 'standard':
    case 'no-recommendation':
    case 'indeterminate':
    case 'not-tested':
      return 'info';
  }
}

/**
 * No rule fired for an ingredient that has rules: say why, per DOMAIN safety principles 1 and 2.
 * Untested genes → not-tested; unreadable results → indeterminate; otherwise no rule covers the result.
 */
function fallback(
  ruleSet: CompiledRuleSet,
  { genes, diagnoses, alleles, rules }: Topic,
  patient: PatientFacts,
  orderId: string,
  drug: string,
): Recommendation {
  const geneFacts = genes.map((gene) => ({ gene, ...patient.geneSummary(gene) }));
  const ambiguousAlleles = alleles.filter((a) => patient.allele(a.gene, a.allele) === 'indeterminate');
  const unclear = [
    ...geneFacts.filter((g) => g.status === 'indeterminate' || g.status === 'conflict'),
    ...ambiguousAlleles
      .filter((a) => patient.gene(a.gene).status === 'called')
      .map((a) => ({ gene: `${a.gene}${a.allele}`, status: 'indeterminate' as const })),
  ];
  const untested = geneFacts.filter((g) => g.status === 'not-tested');
  const name = ruleSet.drugName(drug);
  const evidence = uniqueEvidence(rules.flatMap((rule) => rule.evidence));
  const base = {
    ruleVersion: ENGINE_RULE_VERSION,
    ruleSetVersion: ruleSet.version,
    orderId,
    drug,
    genes: geneFacts.map((g) => ({ gene: g.gene, lookupKey: g.lookupKey, status: g.status })),
    diagnoses: diagnoses.map((key) => ({ key, state: patient.diagnosis(key) })),
    classification: 'No recommendation' as const,
    indicator: 'info' as const,
    alternatives: [],
    populationNotes: [],
    evidence,
  };
  if (unclear.length > 0) {
    const list = unclear.map((g) => `${g.gene} (${g.status})`).join(', ');
    const notes = genes.flatMap((gene) =>
      unclear.some((u) => u.gene.startsWith(gene)) ? (patient.geneResult(gene)?.notes ?? []) : [],
    );
    return {
      ...base,
      ruleId: INDETERMINATE_RULE,
      action: 'indeterminate',
      summary: cardSummary(
        `${name}: ${list} result cannot be interpreted; genotype-guided advice not possible`,
      ),
      detail: [
        `The patient's ${list} result could not be interpreted, so no genotype-guided advice can be given for ${name}.`,
        'This is not a normal result. Resolve it before relying on it: ask the laboratory to review the result, or retest.',
        ...notes.map((note) => `- ${note}`),
      ].join('\n\n'),
    };
  }
  if (untested.length > 0 || genes.length === 0) {
    const list = untested.map((g) => g.gene).join(', ');
    const what = list || diagnoses.map(ruleSet.diagnosisName).join(', ');
    return {
      ...base,
      ruleId: NOT_TESTED_RULE,
      action: 'not-tested',
      summary: cardSummary(
        `${name}: no ${what} result on file (not tested); response cannot be predicted from genotype`,
      ),
      detail: `No ${what} result is on file for this patient. This means **not tested**, not normal: the rules for ${name} could not be applied. Consider testing if the result would change treatment.`,
    };
  }
  const keys = geneFacts.map((g) => `${g.gene} ${g.lookupKey}`).join(', ');
  return {
    ...base,
    ruleId: NO_MATCH_RULE,
    action: 'no-recommendation',
    summary: cardSummary(`${name}: no recommendation for ${keys}`),
    detail: `No rule in rule set ${ruleSet.version} gives advice for ${name} with ${keys}. Use clinical judgement.`,
  };
}

const INDICATOR_RANK: Record<Indicator, number> = { critical: 0, warning: 1, info: 2 };
const ACTION_RANK: Record<Action, number> = {
  avoid: 0,
  'use-alternative': 1,
  'adjust-dose': 2,
  monitor: 3,
  indeterminate: 4,
  'not-tested': 5,
  'no-recommendation': 6,
  standard: 7,
};

export function bySeverity(a: Recommendation, b: Recommendation): number {
  return (
    INDICATOR_RANK[a.indicator] - INDICATOR_RANK[b.indicator] ||
    ACTION_RANK[a.action] - ACTION_RANK[b.action] ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.drug.localeCompare(b.drug)
  );
}

function uniqueEvidence(list: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = `${e.source}|${e.guideline}|${e.version}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
