import { evaluate } from '../engine/evaluate';
import { normaliseDiplotypeText } from '../findings/diplotype';
import { readFindings } from '../findings/read-findings';
import { readOrders } from '../medications/orders';
import type { GeneCall, Order, RawFindings, Recommendation, SourceRef, VariantFinding } from '../model';
import { interpretFindings, type PreparedRuleSet } from '../pipeline';
import type { CaseGene, CasePatient, RuleCase } from './cases-model';

export interface CaseResult {
  file: string;
  rule: string;
  name: string;
  kind: RuleCase['kind'];
  passed: boolean;
  /** What went wrong, in the author's terms. */
  failures: string[];
  /** What the patient's first order got, for the report. */
  got: { ruleId: string; action: string; summary: string }[];
}

const CASE_SOURCE: SourceRef = { resourceType: 'TestCase', shape: 'case' };

/** Runs every case of every rule against the whole rule set (drafts included, so authors can test them). */
export async function runCases(ruleSet: PreparedRuleSet, only?: string): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const { file, cases } of ruleSet.kb.cases) {
    if (only && cases.rule !== only) continue;
    if (!ruleSet.compiled.rules.has(cases.rule)) {
      results.push({
        file,
        rule: cases.rule,
        name: '(all cases)',
        kind: 'positive',
        passed: false,
        failures: [`rule "${cases.rule}" does not exist or is retired`],
        got: [],
      });
      continue;
    }
    for (const testCase of cases.cases) results.push(await runCase(ruleSet, file, cases.rule, testCase));
  }
  return results;
}

async function runCase(
  ruleSet: PreparedRuleSet,
  file: string,
  ruleId: string,
  testCase: RuleCase,
): Promise<CaseResult> {
  const failures: string[] = [];
  const orders = testCase.orders.map((text, index) => caseOrder(ruleSet, text, index));
  for (const order of orders) {
    if (order.ingredients.length === 0)
      failures.push(`order "${order.display}" matches no ingredient in rules/drugs`);
  }
  const findings = interpretFindings(casePatientFindings(testCase.patient), ruleSet);
  const recommendations = await evaluate(ruleSet.compiled, findings, orders, {
    clinical: testCase.context ?? {},
    activeMedications: (testCase.activeMedications ?? []).flatMap(
      (text, i) => caseOrder(ruleSet, text, i).ingredients,
    ),
  });
  const first = recommendations.filter((rec) => rec.orderId === orders[0]?.id);
  const own = first.find((rec) => rec.ruleId === ruleId);
  const expect = testCase.expect;
  if (expect.fires && !own) failures.push('expected the rule to fire; it did not');
  if (!expect.fires && own) failures.push('expected the rule not to fire; it did');
  // Not firing, the case is judged by the outcome of the rule's own topic (the recommendations that read
  // its genes or diagnoses), so another topic of the same drug cannot decide it.
  const rule = ruleSet.compiled.rules.get(ruleId);
  const reads = new Set([...(rule?.genes ?? []), ...(rule?.diagnoses ?? [])]);
  const sameTopic = first.find(
    (rec) => rec.genes.some((g) => reads.has(g.gene)) || rec.diagnoses.some((d) => reads.has(d.key)),
  );
  const judged: Recommendation | undefined = own ?? sameTopic;
  if (expect.action && (judged?.action ?? 'none') !== expect.action) {
    failures.push(`expected action "${expect.action}", got "${judged?.action ?? 'none'}"`);
  }
  if (expect.summaryIncludes && !judged?.summary.includes(expect.summaryIncludes)) {
    failures.push(
      `expected the summary to include "${expect.summaryIncludes}", got "${judged?.summary ?? ''}"`,
    );
  }
  return {
    file,
    rule: ruleId,
    name: testCase.name,
    kind: testCase.kind,
    passed: failures.length === 0,
    failures,
    got: first.map((rec) => ({ ruleId: rec.ruleId, action: rec.action, summary: rec.summary })),
  };
}

/** An order written as an ingredient key, or as free text a prescriber would type. */
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

/** A case patient in the compact authoring form → the reader's raw findings. */
export function casePatientFindings(patient: CasePatient): RawFindings {
  const fromFhir = patient.fhir ? readFindings(patient.fhir) : undefined;
  const calls: GeneCall[] = Object.entries(patient.genes ?? {}).map(([gene, value]) =>
    caseGeneCall(gene, value),
  );
  const variants: VariantFinding[] = (patient.variants ?? []).map((v) => ({
    gene: v.gene,
    ids: [v.id],
    hgvs: v.id.includes('c.') ? { c: v.id } : {},
    presence: v.presence ?? 'present',
    zygosity: v.zygosity ?? 'heterozygous',
    significance: v.significance ?? 'unknown',
    origin: v.origin ?? 'germline',
    sources: [CASE_SOURCE],
  }));
  const conditions = (patient.diagnoses ?? []).map((entry) => {
    const refuted = entry.startsWith('!');
    return {
      key: refuted ? entry.slice(1) : entry,
      codes: [],
      verification: refuted ? 'refuted' : 'confirmed',
      clinical: refuted ? 'inactive' : 'active',
      origin: 'germline' as const,
      sources: [CASE_SOURCE],
    };
  });
  return {
    calls: [...(fromFhir?.calls ?? []), ...calls],
    variants: [...(fromFhir?.variants ?? []), ...variants],
    conditions: [...(fromFhir?.conditions ?? []), ...conditions],
    issues: fromFhir?.issues ?? [],
  };
}

function caseGeneCall(gene: string, value: CaseGene): GeneCall {
  const spec = typeof value === 'string' ? { diplotype: value } : value;
  const call: GeneCall = { gene, origin: spec.origin ?? 'germline', sources: [CASE_SOURCE] };
  if (spec.diplotype) {
    if (gene.startsWith('HLA-')) {
      // In cases, an HLA genotype is written like a diplotype: one allele per copy, "/" between copies.
      call.hla = {
        copies: spec.diplotype.split('/').map((allele) => [allele.trim().replace(/^HLA-[A-Z0-9]+/, '')]),
      };
    } else {
      const normalised = normaliseDiplotypeText(gene, spec.diplotype);
      if (normalised) call.diplotype = normalised;
      else call.indeterminate = true;
    }
  }
  if (spec.phenotype) call.reportedPhenotype = spec.phenotype;
  if (spec.activityScore) call.reportedActivityScore = spec.activityScore;
  if (spec.variants) call.variants = spec.variants;
  if (spec.alleleTests) call.alleleTests = spec.alleleTests;
  if (spec.indeterminate) call.indeterminate = true;
  return call;
}
