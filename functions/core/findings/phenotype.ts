/**
 * Phenotypes as labs report them → CPIC wording. The reader only recognises and canonicalises; deriving or
 * judging phenotypes is the derivation step's job.
 */

import { leadingGene } from './genes';
import { codings, conceptTexts } from './json';

/** What a phenotype is about: which genes it can belong to. */
export type PhenotypeKind = 'metabolizer' | 'function' | 'g6pd' | 'susceptibility' | 'hearing' | 'allele';

export interface PhenotypeRead {
  /** A gene phenotype in CPIC wording. */
  phenotype?: string;
  kind?: PhenotypeKind;
  /** Activity score written with the phenotype ("AS 1.5"). */
  activityScore?: string;
  /** A drug-level answer (high risk, resistant...), kept as a note only. */
  drugLevel?: string;
  /** Text that named nothing we recognise. */
  unrecognised?: string;
  /** A gene named at the start of the text ("CYP2C19 Rapid Metabolizer"). */
  gene?: string;
}

const ANSWER_CODES: Record<string, { phenotype: string; kind: PhenotypeKind } | { drugLevel: string }> = {
  'LA10315-2': { phenotype: 'Ultrarapid Metabolizer', kind: 'metabolizer' },
  'LA25390-8': { phenotype: 'Rapid Metabolizer', kind: 'metabolizer' },
  'LA25391-6': { phenotype: 'Normal Metabolizer', kind: 'metabolizer' },
  'LA10317-8': { phenotype: 'Intermediate Metabolizer', kind: 'metabolizer' },
  'LA9657-3': { phenotype: 'Poor Metabolizer', kind: 'metabolizer' },
  'LA25392-4': { phenotype: 'Increased Function', kind: 'function' },
  'LA25393-2': { phenotype: 'Normal Function', kind: 'function' },
  'LA25395-7': { phenotype: 'Decreased Function', kind: 'function' },
  'LA25394-0': { phenotype: 'Poor Function', kind: 'function' },
  'LA19541-4': { drugLevel: 'High risk' },
  'LA19542-2': { drugLevel: 'Low risk' },
};

const PHENOTYPES: [string, PhenotypeKind][] = [
  ['Ultrarapid Metabolizer', 'metabolizer'],
  ['Rapid Metabolizer', 'metabolizer'],
  ['Normal Metabolizer', 'metabolizer'],
  ['Likely Intermediate Metabolizer', 'metabolizer'],
  ['Intermediate Metabolizer', 'metabolizer'],
  ['Possible Intermediate Metabolizer', 'metabolizer'],
  ['Likely Poor Metabolizer', 'metabolizer'],
  ['Poor Metabolizer', 'metabolizer'],
  ['Increased Function', 'function'],
  ['Normal Function', 'function'],
  ['Decreased Function', 'function'],
  ['Possible Decreased Function', 'function'],
  ['Poor Function', 'function'],
  ['Deficient', 'g6pd'],
  ['Deficient with CNSHA', 'g6pd'],
  ['Variable', 'g6pd'],
  ['Malignant Hyperthermia Susceptible', 'susceptibility'],
  ['Uncertain Susceptibility', 'susceptibility'],
  ['Increased Risk of Aminoglycoside-Induced Hearing Loss', 'hearing'],
  ['Normal Risk of Aminoglycoside-Induced Hearing Loss', 'hearing'],
  ['Uncertain Risk of Aminoglycoside-Induced Hearing Loss', 'hearing'],
  ['Indeterminate', 'metabolizer'],
];

const BY_KEY = new Map(PHENOTYPES.map(([p, k]) => [key(p), { phenotype: p, kind: k }]));

/** Spelling variants folded: case, metaboliser, ultra-rapid, "extensive" (the pre-2017 word for normal). */
function key(value: string): string {
  return value
    .toLowerCase()
    .replace(/metaboli[sz]er/g, 'metabolizer')
    .replace(/ultra[\s-]*rapid/g, 'ultrarapid')
    .replace(/extensive metabolizer/g, 'normal metabolizer')
    .replace(/malignant hyperthermia susceptibility/g, 'malignant hyperthermia susceptible')
    .replace(/[\s_]+/g, ' ')
    .trim();
}

const DRUG_LEVEL = /^(?:high|low|moderate|increased|decreased) risk$|^resistan|^respons|^sensitiv|^toxicity/i;

/** Genes whose CPIC phenotypes are of each kind; used to place one implication among several genotypes. */
const GENE_KINDS: Record<string, PhenotypeKind[]> = {
  CYP2C19: ['metabolizer'],
  CYP2C9: ['metabolizer'],
  CYP2D6: ['metabolizer'],
  CYP3A5: ['metabolizer'],
  CYP2B6: ['metabolizer'],
  DPYD: ['metabolizer'],
  TPMT: ['metabolizer'],
  NUDT15: ['metabolizer'],
  UGT1A1: ['metabolizer'],
  SLCO1B1: ['function'],
  ABCG2: ['function'],
  G6PD: ['g6pd'],
  RYR1: ['susceptibility'],
  CACNA1S: ['susceptibility'],
  'MT-RNR1': ['hearing'],
  VKORC1: [],
  CYP4F2: [],
};

export function geneFitsKind(gene: string, kind: PhenotypeKind): boolean {
  if (gene.startsWith('HLA-')) return kind === 'allele';
  const kinds = GENE_KINDS[gene];
  return kinds === undefined || kinds.includes(kind);
}

/** Reads a phenotype text ("CYP2C19 Poor Metaboliser", "Normal Metabolizer (activity score 1.5)"). */
export function phenotypeFromText(value: string): PhenotypeRead {
  const out: PhenotypeRead = {};
  let t = value.trim();
  const gene = leadingGene(t);
  if (gene !== undefined) {
    out.gene = gene;
    t = t.slice(gene.length).replace(/^[\s:_-]+/, '');
  }
  const as = /\(?\s*(?:activity\s*score|\bAS)\s*[:=]?\s*(\d+(?:\.\d+)?)\s*\)?/i.exec(t);
  if (as) {
    out.activityScore = as[1]!;
    t = (t.slice(0, as.index) + t.slice(as.index + as[0].length)).replace(/[\s,;-]+$/, '').trim();
  }
  if (t === '') return out;
  const known = BY_KEY.get(key(t));
  if (known !== undefined) {
    out.phenotype = known.phenotype;
    out.kind = known.kind;
  } else if (
    /^(?:HLA-[A-Z0-9]+)?\*?[\d:]+\s+(?:positive|negative)$/i.test(t) ||
    /^(?:positive|negative)$/i.test(t)
  ) {
    out.kind = 'allele';
    out.drugLevel = t;
  } else if (DRUG_LEVEL.test(t)) {
    out.drugLevel = t;
  } else {
    out.unrecognised = t;
  }
  return out;
}

/** Reads a phenotype from a CodeableConcept: LOINC answer codes first, then its texts. */
export function phenotypeFromConcept(concept: unknown): PhenotypeRead {
  for (const c of codings(concept)) {
    const answer =
      c.code !== undefined && Object.hasOwn(ANSWER_CODES, c.code) ? ANSWER_CODES[c.code] : undefined;
    if (answer !== undefined) return 'phenotype' in answer ? { ...answer } : { drugLevel: answer.drugLevel };
  }
  let best: PhenotypeRead | undefined;
  for (const t of conceptTexts(concept)) {
    const read = phenotypeFromText(t);
    if (read.phenotype !== undefined) return read;
    best ??= read;
  }
  return best ?? {};
}
