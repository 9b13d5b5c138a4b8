import { evaluate } from '../engine/evaluate';
import { cardSummary } from '../engine/text';
import type { Findings, Recommendation } from '../model';
import { ordersForEveryRuleDrug, type PreparedRuleSet } from '../pipeline';
import { type Card, type CardContext, PROVENANCE_KEY, TOPIC_SYSTEM } from './cards';

const ACTIONABLE = new Set(['avoid', 'use-alternative', 'adjust-dose', 'monitor']);

/**
 * The patient's genomic profile for patient-view: one card per actionable finding, naming every drug it
 * affects (found by evaluating each drug the rules know against the patient), and one per result that is
 * indeterminate or conflicting. Nothing when the patient has no genomic results at all.
 */
export async function profileCards(
  findings: Findings,
  ruleSet: PreparedRuleSet,
  ctx: CardContext,
): Promise<Card[]> {
  const hypothetical = ordersForEveryRuleDrug(ruleSet);
  const recommendations = await evaluate(ruleSet.compiled, findings, hypothetical);
  const byFinding = new Map<string, Recommendation[]>();
  for (const rec of recommendations) {
    if (!ACTIONABLE.has(rec.action)) continue;
    const key = findingLabel(rec);
    byFinding.set(key, [...(byFinding.get(key) ?? []), rec]);
  }
  const cards: Card[] = [...byFinding].map(([finding, recs]) => {
    const drugs = [...new Set(recs.map((r) => ruleSet.compiled.drugName(r.drug)))];
    const summary = cardSummary(`${finding}: affects ${drugs.join(', ')}`);
    return {
      uuid: ctx.ids.uuid(),
      summary,
      detail: [
        `**${finding}** changes the advice for ${drugs.length} drug${drugs.length === 1 ? '' : 's'}:`,
        ...recs.map(
          (r) =>
            `- **${ruleSet.compiled.drugName(r.drug)}** (${r.action}, ${r.classification}): ${r.summary} — _rule ${r.ruleId} v${r.ruleVersion}_`,
        ),
        `_Rule set ${ruleSet.kb.version}_`,
      ].join('\n'),
      indicator: 'info',
      source: {
        label: 'Tailor genomic profile',
        topic: { system: TOPIC_SYSTEM, code: 'genomic-profile', display: finding },
      },
      ...(ctx.smartLaunchUrl
        ? {
            links: [
              {
                label: 'Open the genomic profile in Tailor',
                url: ctx.smartLaunchUrl,
                type: 'smart' as const,
                appContext: JSON.stringify({ finding }),
              },
            ],
          }
        : {}),
      extension: {
        [PROVENANCE_KEY]: {
          ruleSetVersion: ruleSet.kb.version,
          rules: recs.map((r) => `${r.ruleId}@${r.ruleVersion}`),
        },
      },
    };
  });
  for (const gene of findings.genes) {
    if (gene.status === 'called' || gene.origin === 'somatic') continue;
    cards.push({
      uuid: ctx.ids.uuid(),
      summary: cardSummary(
        `${gene.gene} result is ${gene.status === 'conflict' ? 'conflicting' : 'indeterminate'}: not usable for prescribing until resolved`,
      ),
      detail: [
        `The patient's ${gene.gene} result could not be interpreted (${gene.status}). It is **not** a normal result.`,
        ...gene.notes.map((note) => `- ${note}`),
        'Ask the laboratory to review the result, or retest.',
      ].join('\n\n'),
      indicator: 'info',
      source: {
        label: 'Tailor genomic profile',
        topic: { system: TOPIC_SYSTEM, code: 'genomic-profile', display: gene.gene },
      },
      extension: {
        [PROVENANCE_KEY]: { ruleSetVersion: ruleSet.kb.version, gene: gene.gene, status: gene.status },
      },
    });
  }
  return cards;
}

/** "CYP2C19 Poor Metabolizer", "SERPINC1 Pathogenic variant", or the diagnoses present. */
function findingLabel(rec: Recommendation): string {
  const genes = rec.genes.filter((g) => g.status !== 'not-tested').map((g) => `${g.gene} ${g.lookupKey}`);
  const diagnoses = rec.diagnoses.filter((d) => d.state === 'present').map((d) => d.key);
  return [...genes, ...diagnoses].join(' + ') || rec.ruleId;
}
