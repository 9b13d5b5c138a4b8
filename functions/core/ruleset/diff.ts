import { type EvaluationContext, evaluate } from '../engine/evaluate';
import { readOrders } from '../medications/orders';
import type { Order, Recommendation } from '../model';
import { assessResources, interpretFindings, type PreparedRuleSet } from '../pipeline';
import type { RuleCase } from './cases-model';
import { canonicalJson } from './hash';
import type { KnowledgeBase, SourceFile } from './knowledge-base';
import { casePatientFindings } from './run-cases';

/**
 * What a change to the rules does to patients: two rule-set versions evaluated on the same corpus (every
 * rule's example patients from both versions, plus example FHIR bundles), and every recommendation that
 * differs, before and after. Pure: the caller reads the versions and the bundles.
 */

/** One patient of the corpus: a rule's example patient, or a FHIR bundle. */
export type CorpusPatient =
  | { kind: 'case'; key: string; file: string; case: RuleCase }
  | { kind: 'example'; key: string; file: string; resources: unknown };

/** A recommendation as the diff compares it: everything a clinician sees, without the rule-set version. */
export interface OutcomeView {
  ruleId: string;
  ruleVersion: string;
  action: string;
  classification: string;
  indicator: string;
  summary: string;
}

export interface RecommendationChange {
  change: 'changed' | 'added' | 'removed';
  /** The order as written (a case's order text, or the MedicationRequest's medication). */
  order: string;
  drug: string;
  ruleId: string;
  /** For 'changed': which parts differ (ruleVersion, action, classification, indicator, summary, detail ...). */
  fields: string[];
  before?: OutcomeView;
  after?: OutcomeView;
}

export interface PatientChange {
  patient: string;
  kind: CorpusPatient['kind'];
  file: string;
  changes: RecommendationChange[];
}

export interface RuleChange {
  id: string;
  from: string;
  to: string;
}

export interface RuleSetDiff {
  from: string;
  to: string;
  rules: {
    added: { id: string; version: string }[];
    removed: { id: string; version: string }[];
    changed: RuleChange[];
    /** Changed rules whose version was not raised: a card would name a version that no longer says what it did. */
    changedWithoutNewVersion: RuleChange[];
  };
  files: { added: string[]; removed: string[]; changed: string[] };
  patients: { evaluated: number; cases: number; examples: number; changed: number };
  changes: PatientChange[];
}

export interface DiffSide {
  label: string;
  ruleSet: PreparedRuleSet;
  files: readonly SourceFile[];
}

/**
 * Every case of both versions, by file and name. A case whose patient, orders or context were edited between
 * the versions is evaluated in both forms; an edited expectation alone leaves it one patient.
 */
export function caseCorpus(...kbs: KnowledgeBase[]): CorpusPatient[] {
  const byKey = new Map<string, { file: string; case: RuleCase; version: string }[]>();
  for (const kb of kbs) {
    for (const { file, cases } of kb.cases) {
      const seen = new Map<string, number>();
      for (const testCase of cases.cases) {
        const n = (seen.get(testCase.name) ?? 0) + 1;
        seen.set(testCase.name, n);
        const key = `${file} › ${testCase.name}${n > 1 ? ` (${n})` : ''}`;
        const forms = byKey.get(key) ?? [];
        if (!forms.some((form) => samePatient(form.case, testCase))) {
          forms.push({ file, case: testCase, version: kb.version });
        }
        byKey.set(key, forms);
      }
    }
  }
  return [...byKey].flatMap(([key, forms]) =>
    forms.map((form) => ({
      kind: 'case' as const,
      key: forms.length > 1 ? `${key} [as in ${form.version}]` : key,
      file: form.file,
      case: form.case,
    })),
  );
}

/** The same patient with the same orders and context; names and expectations may differ. */
function samePatient(a: RuleCase, b: RuleCase): boolean {
  const what = (c: RuleCase) =>
    canonicalJson([c.patient, c.orders, c.activeMedications ?? [], c.context ?? {}]);
  return what(a) === what(b);
}

/** Evaluates the corpus under both versions and reports what changes. */
export async function diffRuleSets(
  from: DiffSide,
  to: DiffSide,
  corpus: readonly CorpusPatient[],
): Promise<RuleSetDiff> {
  const changes: PatientChange[] = [];
  for (const patient of corpus) {
    const before = await outcomes(patient, from.ruleSet);
    const after = await outcomes(patient, to.ruleSet);
    const differences = compare(before, after);
    if (differences.length > 0) {
      changes.push({ patient: patient.key, kind: patient.kind, file: patient.file, changes: differences });
    }
  }
  const cases = corpus.filter((p) => p.kind === 'case').length;
  return {
    from: from.label,
    to: to.label,
    rules: ruleChanges(from.ruleSet.kb, to.ruleSet.kb),
    files: fileChanges(from.files, to.files),
    patients: { evaluated: corpus.length, cases, examples: corpus.length - cases, changed: changes.length },
    changes,
  };
}

/** Rules added, removed and changed between two knowledge bases, by id. */
export function ruleChanges(from: KnowledgeBase, to: KnowledgeBase): RuleSetDiff['rules'] {
  const before = new Map(from.rules.map((rule) => [rule.id, rule]));
  const after = new Map(to.rules.map((rule) => [rule.id, rule]));
  const changed: RuleChange[] = [];
  const changedWithoutNewVersion: RuleChange[] = [];
  for (const [id, rule] of after) {
    const old = before.get(id);
    if (!old || canonicalJson(old) === canonicalJson(rule)) continue;
    const change = { id, from: old.version, to: rule.version };
    changed.push(change);
    if (old.version === rule.version) changedWithoutNewVersion.push(change);
  }
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return {
    added: [...after.values()]
      .filter((rule) => !before.has(rule.id))
      .map((rule) => ({ id: rule.id, version: rule.version }))
      .sort(byId),
    removed: [...before.values()]
      .filter((rule) => !after.has(rule.id))
      .map((rule) => ({ id: rule.id, version: rule.version }))
      .sort(byId),
    changed: changed.sort(byId),
    changedWithoutNewVersion: changedWithoutNewVersion.sort(byId),
  };
}

function fileChanges(from: readonly SourceFile[], to: readonly SourceFile[]): RuleSetDiff['files'] {
  const canonical = (text: string) => {
    try {
      return canonicalJson(JSON.parse(text));
    } catch {
      return text;
    }
  };
  const before = new Map(from.map((file) => [file.path, canonical(file.text)]));
  const after = new Map(to.map((file) => [file.path, canonical(file.text)]));
  return {
    added: [...after.keys()].filter((path) => !before.has(path)).sort(),
    removed: [...before.keys()].filter((path) => !after.has(path)).sort(),
    changed: [...after]
      .filter(([path, text]) => before.has(path) && before.get(path) !== text)
      .map(([path]) => path)
      .sort(),
  };
}

interface Outcome {
  key: string;
  order: string;
  rec: Recommendation;
}

/** A patient's recommendations under one version, keyed so the same advice can be found in the other. */
async function outcomes(patient: CorpusPatient, ruleSet: PreparedRuleSet): Promise<Outcome[]> {
  let orders: Order[];
  let recommendations: Recommendation[];
  switch (patient.kind) {
    case 'case': {
      const testCase = patient.case;
      orders = testCase.orders.map((text, index) => caseOrder(ruleSet, text, index));
      const context: EvaluationContext = {
        clinical: testCase.context ?? {},
        activeMedications: (testCase.activeMedications ?? []).flatMap(
          (text, i) => caseOrder(ruleSet, text, i).ingredients,
        ),
      };
      const findings = interpretFindings(casePatientFindings(testCase.patient), ruleSet);
      recommendations = await evaluate(ruleSet.compiled, findings, orders, context);
      break;
    }
    case 'example':
      ({ orders, recommendations } = await assessResources(patient.resources, ruleSet));
      break;
  }
  const display = new Map(orders.map((order) => [order.id, order.display]));
  const seen = new Map<string, number>();
  return recommendations.map((rec) => {
    const base = [rec.orderId, rec.drug, rec.ruleId, rec.genes.map((g) => g.gene).join('+')].join('|');
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { key: `${base}|${n}`, order: display.get(rec.orderId) ?? rec.orderId, rec };
  });
}

/** An order written as an ingredient key, or as text a prescriber would type (as the case runner reads it). */
function caseOrder(ruleSet: PreparedRuleSet, text: string, index: number): Order {
  const id = `case-order-${index + 1}`;
  if (ruleSet.drugs.get(text)) {
    return { id, display: text, ingredients: [text], matchedBy: { [text]: 'name' }, unmatchedCodes: [] };
  }
  const [order] = readOrders(
    [{ resourceType: 'MedicationRequest', id, status: 'draft', medicationCodeableConcept: { text } }],
    ruleSet.drugs,
  );
  return order ?? { id, display: text, ingredients: [], matchedBy: {}, unmatchedCodes: [] };
}

/** What a clinician would see differ; the rule-set version itself always differs and is left out. */
const COMPARED = [
  'ruleVersion',
  'action',
  'classification',
  'indicator',
  'summary',
  'detail',
  'alternatives',
  'populationNotes',
  'evidence',
  'genes',
  'diagnoses',
] as const satisfies readonly (keyof Recommendation)[];

function comparable(rec: Recommendation, field: (typeof COMPARED)[number]): string {
  // The engine's own fallback text names the rule-set version; that alone is no change of advice.
  if (field === 'detail')
    return rec.detail.replaceAll(`rule set ${rec.ruleSetVersion}`, 'rule set {version}');
  return canonicalJson(rec[field]);
}

function compare(before: Outcome[], after: Outcome[]): RecommendationChange[] {
  const afterByKey = new Map(after.map((outcome) => [outcome.key, outcome]));
  const beforeKeys = new Set(before.map((outcome) => outcome.key));
  const changes: RecommendationChange[] = [];
  for (const old of before) {
    const now = afterByKey.get(old.key);
    if (!now) {
      changes.push({
        change: 'removed',
        order: old.order,
        drug: old.rec.drug,
        ruleId: old.rec.ruleId,
        fields: [],
        before: view(old.rec),
      });
      continue;
    }
    const fields = COMPARED.filter((field) => comparable(old.rec, field) !== comparable(now.rec, field));
    if (fields.length > 0) {
      changes.push({
        change: 'changed',
        order: now.order,
        drug: now.rec.drug,
        ruleId: now.rec.ruleId,
        fields,
        before: view(old.rec),
        after: view(now.rec),
      });
    }
  }
  for (const now of after) {
    if (beforeKeys.has(now.key)) continue;
    changes.push({
      change: 'added',
      order: now.order,
      drug: now.rec.drug,
      ruleId: now.rec.ruleId,
      fields: [],
      after: view(now.rec),
    });
  }
  return changes;
}

function view(rec: Recommendation): OutcomeView {
  return {
    ruleId: rec.ruleId,
    ruleVersion: rec.ruleVersion,
    action: rec.action,
    classification: rec.classification,
    indicator: rec.indicator,
    summary: rec.summary,
  };
}
