import type {
  Action,
  AlleleStatus,
  ConditionFinding,
  Findings,
  GeneResult,
  Indicator,
  ResultStatus,
  SourceRef,
  VariantFinding,
} from '../../functions/core/model';
import type { AppRecommendation, AssessmentResponse } from '../../functions/http/app-api';

/**
 * Pure functions from the service's answer to what the screens show. No DOM here, so every wording rule
 * (never "normal" for missing data, conflicts and indeterminate results named) is tested directly.
 */

/** What a CDS card's SMART link carries in `appContext` (functions/core/cds/cards.ts). */
export interface CardContext {
  ruleId?: string;
  drug?: string;
  orderId?: string;
  ruleSetVersion?: string;
}

/** appContext arrives as a JSON string (CDS Hooks) or, from some EHRs, already parsed. Anything else: none. */
export function parseAppContext(raw: unknown): CardContext | undefined {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const context: CardContext = {};
  for (const key of ['ruleId', 'drug', 'orderId', 'ruleSetVersion'] as const) {
    const field = v[key];
    if (typeof field === 'string' && field !== '' && field.length <= 200) context[key] = field;
  }
  return context.ruleId || context.drug ? context : undefined;
}

export const ACTION_LABELS: Record<Action, string> = {
  avoid: 'Avoid',
  'use-alternative': 'Use an alternative',
  'adjust-dose': 'Adjust the dose',
  monitor: 'Monitor',
  standard: 'Standard prescribing',
  'no-recommendation': 'No recommendation',
  indeterminate: 'Result indeterminate',
  'not-tested': 'Not tested',
};

export const INDICATOR_LABELS: Record<Indicator, string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Information',
};

export const STATUS_LABELS: Record<ResultStatus, string> = {
  called: 'Reported',
  indeterminate: 'Indeterminate',
  conflict: 'Conflicting results',
};

export interface GeneRow {
  gene: string;
  /** The genotype as reported: diplotype, or the risk alleles tested. */
  result: string;
  /** Phenotype, activity score, or carrier status. */
  interpretation: string;
  status: ResultStatus;
  statusLabel: string;
  lab: string;
  date: string;
  notes: string[];
  somatic: boolean;
}

export function geneRows(findings: Findings): GeneRow[] {
  return [...findings.genes]
    .sort((a, b) => a.gene.localeCompare(b.gene))
    .map((gene) => ({
      gene: gene.gene,
      result: resultText(gene),
      interpretation: interpretationText(gene),
      status: gene.status,
      statusLabel: STATUS_LABELS[gene.status],
      lab: labOf(gene.sources),
      date: dateOf(gene.sources),
      notes: notesOf(gene),
      somatic: gene.origin === 'somatic',
    }));
}

function resultText(gene: GeneResult): string {
  if (gene.diplotype) return gene.diplotype;
  const alleles = Object.entries(gene.alleleStatuses ?? {});
  if (alleles.length > 0)
    return alleles.map(([allele, status]) => `${gene.gene}${allele} ${status}`).join('; ');
  return 'Not stated';
}

function interpretationText(gene: GeneResult): string {
  if (gene.status === 'conflict') return 'Results disagree: see notes';
  const alleles = Object.entries(gene.alleleStatuses ?? {});
  if (alleles.length > 0 && !gene.phenotype) {
    const carrier: Record<AlleleStatus, string> = {
      positive: 'carrier',
      negative: 'non-carrier',
      indeterminate: 'carrier status indeterminate',
    };
    return alleles.map(([allele, status]) => `${gene.gene}${allele} ${carrier[status]}`).join('; ');
  }
  if (gene.status === 'indeterminate') return gene.phenotype ?? 'Indeterminate: cannot be interpreted';
  const parts = [gene.phenotype ?? gene.lookupKey];
  if (gene.activityScore && gene.phenotype) parts.push(`activity score ${gene.activityScore}`);
  return parts.join(', ');
}

function notesOf(gene: GeneResult): string[] {
  const notes = [...gene.notes];
  if (gene.reportedPhenotype && gene.derivedPhenotype && gene.reportedPhenotype !== gene.derivedPhenotype)
    notes.push(`Lab reported ${gene.reportedPhenotype}; the genotype gives ${gene.derivedPhenotype}.`);
  return [...new Set(notes)];
}

function labOf(sources: readonly SourceRef[]): string {
  const labs = [...new Set(sources.flatMap((s) => (s.performer ? [s.performer] : [])))];
  return labs.length > 0 ? labs.join('; ') : 'Not stated';
}

function dateOf(sources: readonly SourceRef[]): string {
  const dates = [...new Set(sources.flatMap((s) => (s.issued ? [s.issued.slice(0, 10)] : [])))].sort();
  return dates.length > 0 ? dates.join(', ') : 'Not stated';
}

export interface VariantRow {
  gene: string;
  variant: string;
  zygosity: string;
  significance: string;
  presence: string;
  lab: string;
  date: string;
  somatic: boolean;
}

export function variantRows(findings: Findings): VariantRow[] {
  return findings.variants.map((v: VariantFinding) => ({
    gene: v.gene,
    variant: [v.hgvs.c, v.hgvs.p, ...v.ids].filter(Boolean).slice(0, 3).join(' · ') || 'Not stated',
    zygosity: v.zygosity,
    significance: v.significance.replace(/-/g, ' '),
    presence: v.presence,
    lab: labOf(v.sources),
    date: dateOf(v.sources),
    somatic: v.origin === 'somatic',
  }));
}

export interface ConditionRow {
  name: string;
  verification: string;
  clinical: string;
  /** From a genomic report (diagnostic implication) rather than the problem list. */
  fromGenomics: boolean;
}

export function conditionRows(findings: Findings): ConditionRow[] {
  return findings.conditions.map((c: ConditionFinding) => ({
    name: c.text ?? c.codes.find((code) => code.display)?.display ?? c.key ?? 'Unnamed condition',
    verification: c.verification,
    clinical: c.clinical,
    fromGenomics: c.sources.some((s) => s.shape !== 'condition'),
  }));
}

export interface RecommendationView {
  id: string;
  drugName: string;
  title: string;
  action: Action;
  actionLabel: string;
  indicator: Indicator;
  indicatorLabel: string;
  strength: string;
  summary: string;
  detail: string;
  genes: string[];
  diagnoses: string[];
  alternatives: string[];
  populationNotes: string[];
  evidence: { label: string; url: string; strength: string; pmids: { id: string; url: string }[] }[];
  provenance: string;
  ruleId: string;
  ruleVersion: string;
  ruleSetVersion: string;
  /** Needs the prescriber's attention (anything but standard prescribing). */
  actionable: boolean;
}

const ACTIONABLE: ReadonlySet<Action> = new Set(['avoid', 'use-alternative', 'adjust-dose', 'monitor']);

export function recommendationView(rec: AppRecommendation): RecommendationView {
  return {
    id: recommendationId(rec),
    drugName: rec.drugName,
    title: rec.ruleTitle ?? `${rec.drugName}: ${ACTION_LABELS[rec.action]}`,
    action: rec.action,
    actionLabel: ACTION_LABELS[rec.action],
    indicator: rec.indicator,
    indicatorLabel: INDICATOR_LABELS[rec.indicator],
    strength: rec.classification,
    summary: rec.summary,
    detail: rec.detail,
    genes: rec.genes.map((g) =>
      g.status === 'not-tested'
        ? `${g.gene}: not tested (no result on file)`
        : `${g.gene}: ${g.lookupKey}${g.status === 'called' ? '' : ` (${STATUS_LABELS[g.status].toLowerCase()})`}`,
    ),
    diagnoses: rec.diagnoses.map((d) => `${d.key.replace(/-/g, ' ')}: ${d.state.replace(/-/g, ' ')}`),
    alternatives: rec.alternatives.map((a) => a.text),
    populationNotes: rec.populationNotes,
    evidence: rec.evidence.map((e) => ({
      label: `${e.source}: ${e.guideline} (${e.version})`,
      url: safeUrl(e.url),
      strength: e.strength,
      pmids: (e.pmids ?? []).map((id) => ({
        id,
        url: `https://pubmed.ncbi.nlm.nih.gov/${encodeURIComponent(id)}/`,
      })),
    })),
    provenance: `Rule ${rec.ruleId} v${rec.ruleVersion} · rule set ${rec.ruleSetVersion}`,
    ruleId: rec.ruleId,
    ruleVersion: rec.ruleVersion,
    ruleSetVersion: rec.ruleSetVersion,
    actionable: ACTIONABLE.has(rec.action),
  };
}

/** A stable DOM id for a recommendation. */
export function recommendationId(rec: Pick<AppRecommendation, 'orderId' | 'ruleId' | 'drug'>): string {
  return `rec-${`${rec.orderId}-${rec.drug}-${rec.ruleId}`.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Only http(s) links are rendered as links. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : '';
  } catch {
    return '';
  }
}

const SEVERITY: Record<Indicator, number> = { critical: 0, warning: 1, info: 2 };

export interface MedicationAlerts {
  orderId: string;
  display: string;
  /** Nothing in the medication was recognised as a drug Tailor knows. */
  unrecognised: boolean;
  recommendations: RecommendationView[];
}

/** The current medications, each with its recommendations, the most severe medication first. */
export function medicationAlerts(answer: AssessmentResponse): MedicationAlerts[] {
  const groups = answer.orders.map((order) => {
    const recs = answer.recommendations
      .filter((r) => r.orderId === order.id)
      .sort((a, b) => SEVERITY[a.indicator] - SEVERITY[b.indicator])
      .map(recommendationView);
    return {
      orderId: order.id,
      display: order.display,
      unrecognised: order.ingredients.length === 0,
      recommendations: recs,
    };
  });
  const worst = (g: MedicationAlerts) => Math.min(3, ...g.recommendations.map((r) => SEVERITY[r.indicator]));
  return groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => worst(a.g) - worst(b.g) || a.i - b.i)
    .map((x) => x.g);
}

/**
 * The recommendation a card pointed at: same rule and drug, preferring the same order; searched among the
 * current medications first, then the look-ups (the card's draft order is usually not yet an active one), then
 * the drugs the findings affect.
 */
export function findCardRecommendation(
  answer: AssessmentResponse,
  context: CardContext,
): AppRecommendation | undefined {
  const candidates = [
    ...answer.recommendations,
    ...answer.lookups.flatMap((l) => l.recommendations),
    ...answer.affected,
  ];
  const matches = candidates.filter(
    (r) => (!context.ruleId || r.ruleId === context.ruleId) && (!context.drug || r.drug === context.drug),
  );
  return matches.find((r) => r.orderId === context.orderId) ?? matches[0];
}

/** The sentence shown when the patient has no genomic results: never "normal". */
export const NOT_TESTED_MESSAGE =
  'No genomic results are on file for this patient: not tested. This does not mean normal; a result may exist elsewhere or testing may be needed.';
