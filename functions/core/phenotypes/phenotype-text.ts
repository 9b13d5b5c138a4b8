/**
 * Labs' phenotype and activity-score text → CPIC wording. Matching ignores case, a leading gene symbol, and the
 * British "Metaboliser"; text that matches nothing known is reported as not recognised, never guessed.
 */

/** CPIC phenotype terms recognised for any gene, table or not. */
const CPIC_TERMS = [
  'Ultrarapid Metabolizer',
  'Rapid Metabolizer',
  'Normal Metabolizer',
  'Likely Intermediate Metabolizer',
  'Intermediate Metabolizer',
  'Possible Intermediate Metabolizer',
  'Likely Poor Metabolizer',
  'Poor Metabolizer',
  'Increased Function',
  'Normal Function',
  'Decreased Function',
  'Possible Decreased Function',
  'Poor Function',
  'Normal',
  'Deficient',
  'Deficient with CNSHA',
  'Variable',
  'Malignant Hyperthermia Susceptibility',
  'Uncertain Susceptibility',
  'Indeterminate',
];

const ABBREVIATIONS: Record<string, string> = {
  um: 'ultrarapid metabolizer',
  rm: 'rapid metabolizer',
  nm: 'normal metabolizer',
  em: 'normal metabolizer',
  im: 'intermediate metabolizer',
  pm: 'poor metabolizer',
};

function phenotypeKey(text: string, gene: string): string {
  let s = text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const g = gene.toLowerCase();
  if (s.startsWith(g)) s = s.slice(g.length).replace(/^[\s:*-]+/, '');
  s = s.replace(/[.;]+$/, '').replace(/metaboli[sz]ers?\b/g, 'metabolizer');
  s = s
    .replace(/\bultra[\s-]?rapid\b/g, 'ultrarapid')
    .replace(/\bextensive metabolizer\b/g, 'normal metabolizer');
  return ABBREVIATIONS[s] ?? s;
}

/**
 * The CPIC spelling of a lab's phenotype text, or undefined when it is not recognised. `known` holds the
 * phenotypes the gene's table can produce (lower-case key → CPIC spelling).
 */
export function canonicalPhenotype(
  text: string,
  gene: string,
  known: ReadonlyMap<string, string> = new Map(),
): string | undefined {
  const key = phenotypeKey(text, gene);
  if (key === '') return undefined;
  const fromTable = known.get(key);
  if (fromTable !== undefined) return fromTable;
  return CPIC_TERMS.find((t) => t.toLowerCase() === key);
}

/** A lab's activity score as a number, with "≥" kept; undefined when it is not a score. */
export function parseActivityScore(text: string): { value: number; atLeast: boolean } | undefined {
  const s = text
    .normalize('NFKC')
    .trim()
    .replace(/^(activity score|as)\s*[:=]?\s*/i, '')
    .replace(',', '.');
  const m = /^(≥|>=)?\s*(\d+(?:\.\d+)?)$/.exec(s);
  if (m?.[2] === undefined) return undefined;
  const value = Number(m[2]);
  return Number.isFinite(value) ? { value, atLeast: m[1] !== undefined } : undefined;
}
