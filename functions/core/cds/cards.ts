import type { DrugVocabulary } from '../medications/vocabulary';
import type { Findings, GeneResult, Indicator, Order, Recommendation } from '../model';
import type { Ids } from '../ports';

/** A CDS Hooks 2.0 card (the members Tailor sends). */
export interface Card {
  uuid: string;
  summary: string;
  detail: string;
  indicator: Indicator;
  source: { label: string; url?: string; topic?: { system: string; code: string; display?: string } };
  suggestions?: Suggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: { system: string; code: string; display: string }[];
  links?: { label: string; url: string; type: 'absolute' | 'smart'; appContext?: string }[];
  extension?: Record<string, unknown>;
}

export interface Suggestion {
  label: string;
  uuid: string;
  isRecommended?: boolean;
  actions: {
    type: 'create' | 'update' | 'delete';
    description: string;
    resource?: unknown;
    resourceId?: string;
  }[];
}

/** The extension key under which every card carries its provenance. */
export const PROVENANCE_KEY = 'org.tailor-cds.provenance';
export const TOPIC_SYSTEM = 'https://tailor-cds.org/fhir/CodeSystem/rule';
export const OVERRIDE_SYSTEM = 'https://tailor-cds.org/fhir/CodeSystem/override-reason';

/** Why a clinician may go ahead anyway: offered on every card that asks them to change the order. */
export const OVERRIDE_REASONS = [
  {
    system: OVERRIDE_SYSTEM,
    code: 'already-tolerating',
    display: 'Patient already takes this drug without problems',
  },
  { system: OVERRIDE_SYSTEM, code: 'result-questioned', display: 'Genomic result questioned or outdated' },
  { system: OVERRIDE_SYSTEM, code: 'no-alternative', display: 'No suitable alternative available' },
  {
    system: OVERRIDE_SYSTEM,
    code: 'clinical-judgement',
    display: 'Clinical judgement: benefit outweighs risk',
  },
];

export interface CardContext {
  findings: Findings;
  orders: readonly Order[];
  drugs: DrugVocabulary;
  ruleTitle: (ruleId: string) => string | undefined;
  ids: Ids;
  patientId: string;
  encounterId?: string;
  /** The SMART app's launch URL for links; none when the app is not configured. */
  smartLaunchUrl?: string;
}

const ACTIONABLE = new Set(['avoid', 'use-alternative', 'adjust-dose', 'monitor']);

/** Recommendations → cards, most severe first; one card per order and rule. */
export function renderCards(recommendations: readonly Recommendation[], ctx: CardContext): Card[] {
  const seen = new Set<string>();
  const cards: Card[] = [];
  for (const rec of recommendations) {
    const key = `${rec.orderId}|${rec.ruleId}|${rec.genes.map((g) => g.gene).join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    cards.push(renderCard(rec, ctx));
  }
  const rank: Record<Indicator, number> = { critical: 0, warning: 1, info: 2 };
  return cards
    .map((card, i) => ({ card, i }))
    .sort((a, b) => rank[a.card.indicator] - rank[b.card.indicator] || a.i - b.i)
    .map((x) => x.card);
}

function renderCard(rec: Recommendation, ctx: CardContext): Card {
  const card: Card = {
    uuid: ctx.ids.uuid(),
    summary: rec.summary,
    detail: detailOf(rec, ctx),
    indicator: rec.indicator,
    source: {
      label: `Tailor · ${rec.evidence[0]?.source ?? 'Tailor'}`,
      ...(rec.evidence[0]?.url ? { url: rec.evidence[0].url } : {}),
      topic: {
        system: TOPIC_SYSTEM,
        code: rec.ruleId,
        display: ctx.ruleTitle(rec.ruleId) ?? topicDisplay(rec),
      },
    },
    extension: {
      [PROVENANCE_KEY]: {
        ruleId: rec.ruleId,
        ruleVersion: rec.ruleVersion,
        ruleSetVersion: rec.ruleSetVersion,
        classification: rec.classification,
        action: rec.action,
        drug: rec.drug,
        orderId: rec.orderId,
        genes: rec.genes,
      },
    },
  };
  const suggestions = suggestionsFor(rec, ctx);
  if (suggestions.length > 0) {
    card.suggestions = suggestions;
    card.selectionBehavior = 'at-most-one';
  }
  if (ACTIONABLE.has(rec.action)) card.overrideReasons = OVERRIDE_REASONS;
  if (ctx.smartLaunchUrl) {
    card.links = [
      {
        label: 'Open the genomic profile in Tailor',
        url: ctx.smartLaunchUrl,
        type: 'smart',
        appContext: JSON.stringify({
          ruleId: rec.ruleId,
          drug: rec.drug,
          orderId: rec.orderId,
          ruleSetVersion: rec.ruleSetVersion,
        }),
      },
    ];
  }
  return card;
}

function topicDisplay(rec: Recommendation): string {
  const genes = rec.genes.map((g) => g.gene).join('/');
  return genes ? `${genes} and ${rec.drug}` : rec.drug;
}

/** The rule's text, then what the patient's result is and where it came from, the evidence and provenance. */
function detailOf(rec: Recommendation, ctx: CardContext): string {
  const parts = [rec.detail];
  const results = rec.genes.map((g) => resultLine(g, ctx.findings));
  const diagnoses = rec.diagnoses
    .filter((d) => d.state !== 'not-recorded')
    .map((d) => `- Diagnosis ${d.key}: ${d.state}`);
  if (results.length > 0 || diagnoses.length > 0)
    parts.push(["**Patient's results**", ...results, ...diagnoses].join('\n'));
  if (rec.populationNotes.length > 0)
    parts.push(['**Population notes**', ...rec.populationNotes.map((n) => `- ${n}`)].join('\n'));
  if (rec.alternatives.length > 0)
    parts.push(['**Alternatives**', ...rec.alternatives.map((a) => `- ${a.text}`)].join('\n'));
  const evidence = rec.evidence.map((e) => {
    const pmids = (e.pmids ?? [])
      .map((id) => `[PMID ${id}](https://pubmed.ncbi.nlm.nih.gov/${id}/)`)
      .join(', ');
    return `- ${e.source}: [${e.guideline}](${e.url}) (${e.version}), strength ${e.strength}${pmids ? `; ${pmids}` : ''}`;
  });
  parts.push([`**Evidence** (classification: ${rec.classification})`, ...evidence].join('\n'));
  parts.push(`_Rule ${rec.ruleId} v${rec.ruleVersion} · rule set ${rec.ruleSetVersion}_`);
  return parts.join('\n\n');
}

function resultLine(gene: Recommendation['genes'][number], findings: Findings): string {
  const result: GeneResult | undefined = findings.genes.find(
    (g) => g.gene === gene.gene && g.origin !== 'somatic',
  );
  if (gene.status === 'not-tested') return `- ${gene.gene}: **not tested** (no result on file)`;
  const what = result
    ? [result.diplotype, result.phenotype ?? result.lookupKey].filter(Boolean).join(' → ')
    : gene.lookupKey;
  const flag = gene.status === 'called' ? '' : ` (**${gene.status}**)`;
  const source = result?.sources[0];
  const from = [source?.performer, source?.issued?.slice(0, 10)].filter(Boolean).join(', ');
  return `- ${gene.gene}: ${what}${flag}${from ? ` (${from})` : ''}`;
}

/** For advice to use another drug: replace the draft order with a draft order for each alternative. */
function suggestionsFor(rec: Recommendation, ctx: CardContext): Suggestion[] {
  if (rec.action !== 'use-alternative' && rec.action !== 'avoid') return [];
  const order = ctx.orders.find((o) => o.id === rec.orderId);
  const drugName = ctx.drugs.get(rec.drug)?.names.en[0] ?? rec.drug;
  return rec.alternatives
    .filter(
      (alt): alt is { ingredient: string; text: string } =>
        typeof alt.ingredient === 'string' && ctx.drugs.has(alt.ingredient),
    )
    .map((alt, index) => {
      const entry = ctx.drugs.get(alt.ingredient)!;
      const name = entry.names.en[0] ?? alt.ingredient;
      const coding = [
        ...(entry.codes.rxnorm?.ingredient
          ? [
              {
                system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
                code: entry.codes.rxnorm.ingredient.code,
                display: name,
              },
            ]
          : []),
        ...(entry.codes.atc ?? [])
          .slice(0, 1)
          .map((atc) => ({ system: 'http://www.whocc.no/atc', code: atc.code, display: name })),
      ];
      return {
        label: `Replace ${drugName} with ${name}`,
        uuid: ctx.ids.uuid(),
        isRecommended: index === 0,
        actions: [
          ...(order
            ? [
                {
                  type: 'delete' as const,
                  description: `Remove the draft order for ${drugName}`,
                  resourceId: `MedicationRequest/${order.id}`,
                },
              ]
            : []),
          {
            type: 'create' as const,
            description: `Create a draft order for ${name}: ${alt.text}`,
            resource: {
              resourceType: 'MedicationRequest',
              status: 'draft',
              intent: 'order',
              subject: { reference: `Patient/${ctx.patientId}` },
              ...(ctx.encounterId ? { encounter: { reference: `Encounter/${ctx.encounterId}` } } : {}),
              medicationCodeableConcept: { ...(coding.length > 0 ? { coding } : {}), text: name },
              note: [{ text: `Suggested by Tailor (${rec.ruleId} v${rec.ruleVersion}): ${alt.text}` }],
            },
          },
        ],
      };
    });
}

/** The card for a check that could not run: never a silent empty answer (DOMAIN.md section 8). */
export function failedCheckCard(ids: Ids, reason: string): Card {
  return {
    uuid: ids.uuid(),
    summary: 'Genomic medication check could not be completed: review genomic results before prescribing',
    detail: [
      `Tailor could not complete the genomic check for this patient (${reason}).`,
      'This does **not** mean the patient has no relevant genomic findings. Before prescribing, review the ' +
        "patient's pharmacogenomic and genetic results in the record, or try again shortly.",
      'If this keeps happening, contact the clinical decision support team.',
    ].join('\n\n'),
    indicator: 'info',
    source: {
      label: 'Tailor',
      topic: { system: TOPIC_SYSTEM, code: 'check-failed', display: 'Genomic check could not be completed' },
    },
    extension: { [PROVENANCE_KEY]: { ruleId: 'check-failed', reason } },
  };
}
