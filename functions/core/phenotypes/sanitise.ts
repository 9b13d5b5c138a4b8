/**
 * Defensive copies of the reader's output: whatever arrives, what leaves has the declared types, so derivation
 * never throws on odd input. Fields of the wrong type are dropped (and so count as missing, never as normal).
 */
import type {
  AlleleStatus,
  GeneCall,
  Origin,
  Presence,
  Significance,
  SourceRef,
  VariantFinding,
  Zygosity,
} from '../model';

type Loose = Record<string, unknown>;

const isObject = (x: unknown): x is Loose => typeof x === 'object' && x !== null && !Array.isArray(x);

export const text = (x: unknown): string | undefined =>
  typeof x === 'string' && x.trim() !== '' ? x.trim() : undefined;

const oneOf = <T extends string>(x: unknown, values: readonly T[], fallback: T): T =>
  typeof x === 'string' && (values as readonly string[]).includes(x) ? (x as T) : fallback;

const ORIGINS: readonly Origin[] = ['germline', 'somatic', 'unknown'];
const STATUSES: readonly AlleleStatus[] = ['positive', 'negative', 'indeterminate'];
const PRESENCES: readonly Presence[] = ['present', 'absent', 'no-call', 'indeterminate'];
const ZYGOSITIES: readonly Zygosity[] = ['heterozygous', 'homozygous', 'hemizygous', 'unknown'];
const SIGNIFICANCES: readonly Significance[] = [
  'pathogenic',
  'likely-pathogenic',
  'uncertain',
  'likely-benign',
  'benign',
  'unknown',
];

export const geneSymbol = (x: unknown): string | undefined => text(x)?.toUpperCase();

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.map(text).filter((s): s is string => s !== undefined) : [];
}

function sources(x: unknown): SourceRef[] {
  return Array.isArray(x) ? x.filter(isObject).map((s) => s as unknown as SourceRef) : [];
}

export function sanitiseCall(raw: unknown): GeneCall | undefined {
  if (!isObject(raw)) return undefined;
  const gene = geneSymbol(raw.gene);
  if (gene === undefined) return undefined;
  const call: GeneCall = {
    gene,
    origin: oneOf(raw.origin, ORIGINS, 'unknown'),
    sources: sources(raw.sources),
  };
  const diplotype = text(raw.diplotype);
  if (diplotype !== undefined) call.diplotype = diplotype;
  if (isObject(raw.hla) && Array.isArray(raw.hla.copies)) {
    call.hla = { copies: raw.hla.copies.filter(Array.isArray).map(strings) };
  }
  if (isObject(raw.alleleTests)) {
    const tests: Record<string, AlleleStatus> = {};
    for (const [allele, status] of Object.entries(raw.alleleTests)) {
      // An unreadable test result is indeterminate, not absent.
      tests[allele] = oneOf(status, STATUSES, 'indeterminate');
    }
    call.alleleTests = tests;
  }
  const reportedPhenotype = text(raw.reportedPhenotype);
  if (reportedPhenotype !== undefined) call.reportedPhenotype = reportedPhenotype;
  const reportedActivityScore =
    typeof raw.reportedActivityScore === 'number'
      ? String(raw.reportedActivityScore)
      : text(raw.reportedActivityScore);
  if (reportedActivityScore !== undefined) call.reportedActivityScore = reportedActivityScore;
  if (Array.isArray(raw.variants)) call.variants = strings(raw.variants);
  if (raw.indeterminate === true) call.indeterminate = true;
  const note = text(raw.note);
  if (note !== undefined) call.note = note;
  return call;
}

export function sanitiseVariant(raw: unknown): VariantFinding | undefined {
  if (!isObject(raw)) return undefined;
  const gene = geneSymbol(raw.gene);
  if (gene === undefined) return undefined;
  const hgvsRaw = isObject(raw.hgvs) ? raw.hgvs : {};
  const hgvs: VariantFinding['hgvs'] = {};
  for (const k of ['c', 'g', 'p'] as const) {
    const v = text(hgvsRaw[k]);
    if (v !== undefined) hgvs[k] = v;
  }
  return {
    gene,
    ids: strings(raw.ids),
    hgvs,
    presence: oneOf(raw.presence, PRESENCES, 'indeterminate'),
    zygosity: oneOf(raw.zygosity, ZYGOSITIES, 'unknown'),
    significance: oneOf(raw.significance, SIGNIFICANCES, 'unknown'),
    origin: oneOf(raw.origin, ORIGINS, 'unknown'),
    sources: sources(raw.sources),
  };
}
