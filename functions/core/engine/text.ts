import type { PatientFacts } from './facts';

const PLACEHOLDER = /\{(drug|([A-Z0-9-]+)\.(phenotype|diplotype|activityScore|lookupKey))\}/g;

/**
 * Fills {drug} and {GENE.field} in a rule's summary or detail. A field the patient lacks reads
 * "unknown", never an empty string that could make a sentence read as a normal result.
 */
export function fillPlaceholders(text: string, values: { drug: string; patient: PatientFacts }): string {
  return text.replace(PLACEHOLDER, (_match, whole: string, gene?: string, field?: string) => {
    if (whole === 'drug') return values.drug;
    const fact = values.patient.gene(gene ?? '');
    const value =
      field === 'phenotype'
        ? fact.phenotype
        : field === 'diplotype'
          ? fact.diplotype
          : field === 'activityScore'
            ? fact.activityScore?.toString()
            : fact.lookupKey;
    return value ?? 'unknown';
  });
}

/** The placeholders a text uses, for validation. */
export function placeholdersIn(text: string): { gene?: string; field: string }[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) =>
    m[2] ? { gene: m[2], field: m[3] ?? '' } : { field: 'drug' },
  );
}

/** A card summary: a sentence (capital first letter) under CDS Hooks' 140 characters. */
export function cardSummary(text: string): string {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return sentence.length <= 139 ? sentence : `${sentence.slice(0, 138)}…`;
}
