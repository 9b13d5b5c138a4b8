/**
 * Code systems and codes of the Genomics Reporting IG and its predecessors (DOMAIN.md section 4), and the
 * answer lists the reader maps to our model.
 */
import type { Origin, Presence, Significance, Zygosity } from '../model';
import { type Coding, codings, conceptTexts } from './json';

/** A comparable system key: no scheme, no `www.`, no trailing slash, lower case. */
export function systemKey(system: string | undefined): string {
  if (system === undefined) return '';
  return system
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '');
}

const LOINC_SYSTEMS = new Set(['loinc.org', 'urn:oid:2.16.840.1.113883.6.1']);
const TBD_SYSTEMS = new Set([
  'hl7.org/fhir/uv/genomics-reporting/codesystem/tbd-codes-cs',
  'hl7.org/fhir/uv/genomics-reporting/codesystem/tbd-codes',
]);

export function isLoinc(coding: Coding): boolean {
  return coding.system === undefined || LOINC_SYSTEMS.has(systemKey(coding.system));
}

/** The IG's own "to be determined" codes; the system is optional because labs drop it. */
export function isTbd(coding: Coding): boolean {
  return coding.system === undefined || TBD_SYSTEMS.has(systemKey(coding.system));
}

export function hasLoinc(concept: unknown, ...codes: string[]): boolean {
  return codings(concept).some((c) => c.code !== undefined && codes.includes(c.code) && isLoinc(c));
}

export function hasTbd(concept: unknown, ...codes: string[]): boolean {
  return codings(concept).some((c) => c.code !== undefined && codes.includes(c.code) && isTbd(c));
}

export const LOINC = {
  genomicReport: '51969-4',
  genomicReportStu1: '81247-9',
  variant: '69548-6',
  genotype: '84413-4',
  haplotype: '84414-2',
  gene: '48018-6',
  discreteVariant: '81252-9',
  dbSnpStu1: '81255-2',
  cHgvs: '48004-6',
  gHgvs: '81290-9',
  pHgvs: '48005-3',
  allelicState: '53034-5',
  sourceClass: '48002-0',
  significance: '53037-8',
  associatedPhenotype: '81259-4',
  medicationAssessed: '51963-7',
  metabolism: '53040-2',
  efficacy: '51961-1',
  highRisk: '83009-1',
  refSeq: '48013-7',
  coordinateSystem: '92822-6',
  exactStartEnd: '81254-5',
  refAllele: '69547-8',
  altAllele: '69551-0',
  dnaChangeType: '48019-4',
} as const;

export const TBD = {
  therapeuticImplication: 'therapeutic-implication',
  predictedTherapeuticImplication: 'predicted-therapeutic-implication',
  diagnosticImplication: 'diagnostic-implication',
  exactStartEnd: 'exact-start-end',
} as const;

/** LOINC coordinate systems: 0-based interval counting and 1-based character counting. */
export const COORDINATES = { zeroBased: 'LA30100-4', oneBased: 'LA30102-0' } as const;

function loincAnswer(concept: unknown): string | undefined {
  for (const c of codings(concept)) if (c.code !== undefined && /^LA\d+-\d$/.test(c.code)) return c.code;
  return undefined;
}

/** Lower-case words of a concept's texts, for matching answers that came without a code. */
function words(concept: unknown): string[] {
  return conceptTexts(concept).map((t) =>
    t
      .toLowerCase()
      .replace(/[_\s]+/g, ' ')
      .trim(),
  );
}

const PRESENCE_CODES: Record<string, Presence> = {
  'LA9633-4': 'present',
  'LA9634-2': 'absent',
  'LA18198-4': 'no-call',
  'LA11884-6': 'indeterminate',
  // SNOMED CT positive / negative / detected / not detected, as the pre-IG examples use.
  '10828004': 'present',
  '260385009': 'absent',
  '260373001': 'present',
  '260415000': 'absent',
};

const PRESENCE_WORDS: Record<string, Presence> = {
  present: 'present',
  positive: 'present',
  detected: 'present',
  carrier: 'present',
  yes: 'present',
  absent: 'absent',
  negative: 'absent',
  'not detected': 'absent',
  'non-carrier': 'absent',
  'not present': 'absent',
  no: 'absent',
  'no call': 'no-call',
  'no-call': 'no-call',
  nocall: 'no-call',
  indeterminate: 'indeterminate',
  inconclusive: 'indeterminate',
  equivocal: 'indeterminate',
  failed: 'indeterminate',
  'test failed': 'indeterminate',
  'unable to determine': 'indeterminate',
};

/** A presence answer (variant value, allele test result) from a code or a word. */
export function presenceOf(concept: unknown): Presence | undefined {
  for (const c of codings(concept)) {
    if (c.code !== undefined && Object.hasOwn(PRESENCE_CODES, c.code)) return PRESENCE_CODES[c.code];
  }
  for (const w of words(concept)) if (Object.hasOwn(PRESENCE_WORDS, w)) return PRESENCE_WORDS[w];
  return undefined;
}

export function presenceOfWord(value: string): Presence | undefined {
  const w = value.toLowerCase().replace(/\s+/g, ' ').trim();
  return Object.hasOwn(PRESENCE_WORDS, w) ? PRESENCE_WORDS[w] : undefined;
}

const ZYGOSITY_CODES: Record<string, Zygosity> = {
  'LA6706-1': 'heterozygous',
  'LA6705-3': 'homozygous',
  'LA6707-9': 'hemizygous',
  // Heteroplasmic / homoplasmic (mitochondrial): read as the nuclear analogue.
  'LA26217-2': 'heterozygous',
  'LA26220-6': 'homozygous',
};

export function zygosityOf(concept: unknown): Zygosity {
  const code = loincAnswer(concept);
  if (code !== undefined && Object.hasOwn(ZYGOSITY_CODES, code)) return ZYGOSITY_CODES[code]!;
  for (const w of words(concept)) {
    if (w === 'heterozygous' || w === 'heteroplasmic') return 'heterozygous';
    if (w === 'homozygous' || w === 'homoplasmic') return 'homozygous';
    if (w === 'hemizygous') return 'hemizygous';
  }
  return 'unknown';
}

/** Germline / somatic. "Likely" answers and unknown genomic origin stay unknown on purpose. */
export function originOf(concept: unknown): Origin | undefined {
  const code = loincAnswer(concept);
  if (code === 'LA6683-2') return 'germline';
  if (code === 'LA6684-0') return 'somatic';
  if (code !== undefined) return 'unknown';
  for (const w of words(concept)) {
    if (w === 'germline') return 'germline';
    if (w === 'somatic') return 'somatic';
  }
  return undefined;
}

const SIGNIFICANCE_CODES: Record<string, Significance> = {
  'LA6668-3': 'pathogenic',
  'LA26332-9': 'likely-pathogenic',
  'LA26333-7': 'uncertain',
  'LA26334-5': 'likely-benign',
  'LA6675-8': 'benign',
};

const SIGNIFICANCE_WORDS: Record<string, Significance> = {
  pathogenic: 'pathogenic',
  'likely pathogenic': 'likely-pathogenic',
  'uncertain significance': 'uncertain',
  uncertain: 'uncertain',
  vus: 'uncertain',
  'variant of uncertain significance': 'uncertain',
  'likely benign': 'likely-benign',
  benign: 'benign',
};

export function significanceOf(concept: unknown): Significance | undefined {
  const code = loincAnswer(concept);
  if (code !== undefined && Object.hasOwn(SIGNIFICANCE_CODES, code)) return SIGNIFICANCE_CODES[code];
  for (const w of words(concept)) if (Object.hasOwn(SIGNIFICANCE_WORDS, w)) return SIGNIFICANCE_WORDS[w];
  return undefined;
}

/** Results that count, results that silently never count, and everything else (which gets an issue). */
export type StatusVerdict = 'use' | 'drop' | 'skip';

export function statusVerdict(status: unknown): StatusVerdict {
  switch (status) {
    case 'final':
    case 'amended':
    case 'corrected':
      return 'use';
    case 'entered-in-error':
    case 'cancelled':
      return 'drop';
    default:
      return 'skip';
  }
}

/** Sequence Ontology "wild type" (reference call) change type. */
export const SO_WILD_TYPE = 'SO:0002073';
