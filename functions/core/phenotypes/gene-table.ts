import schema from '../../../rules/schema/gene.schema.json';
import { lazyValidator } from '../schema-validation';

/**
 * function: each allele has a function; the pair (or single, for haploid/hemizygous) of functions maps to a
 * phenotype. activity-score: each allele has an activity value; their sum maps to a phenotype through score
 * ranges, and the score is the lookup key. risk-allele: carrier status per risk allele (HLA).
 */
export type DerivationModel = 'function' | 'activity-score' | 'risk-allele';

/** diploid: two copies. haploid: one (mitochondrial). x-linked: one copy (hemizygous) or two. */
export type Ploidy = 'diploid' | 'haploid' | 'x-linked';

export interface GeneTableSource {
  /** Who published the data, e.g. "CPIC". */
  name: string;
  /** Data version or date, e.g. the CPIC database version "2025-11-05-00-25". */
  version: string;
  url: string;
  /** When the data was taken (ISO date). */
  accessed?: string;
}

export interface AlleleDefinition {
  /** Canonical allele name (CPIC spelling): "*17", "c.1905+1G>A (*2A)", "m.1555A>G", "C". */
  name: string;
  /** Other names that resolve to this allele: PharmVar ids, legacy names ("*2A"), rs ids, HGVS. */
  aliases?: string[];
  /** CPIC allele function ("No function", "Malignant Hyperthermia associated", "III/Deficient"). */
  function: string;
  /** CPIC activity value; null when CPIC gives none (unknown or uncertain function). */
  activityValue?: number | null;
}

export interface FunctionPhenotype {
  /** One function (haploid or hemizygous) or two (either order). */
  functions: string[];
  /** CPIC phenotype; "Indeterminate" makes the result indeterminate. */
  phenotype: string;
  /** Lookup key when it is not the phenotype itself (VKORC1: "rs9923231 C/T"). */
  lookupKey?: string;
}

export interface ActivityScoreRange {
  /** Inclusive lower bound. */
  min: number;
  /** Inclusive upper bound; absent means unbounded (so a "≥" score can still be classified). */
  max?: number;
  phenotype: string;
}

/** Function assumed for a reported variant the table does not list, by the lab's classification. */
export interface UnlistedVariantFunctions {
  pathogenic?: string;
  uncertain?: string;
  benign?: string;
}

export interface GeneTable {
  $schema?: string;
  /** HGNC symbol, upper case; equals the file name. */
  gene: string;
  /** "HGNC:2621". */
  hgncId: string;
  source: GeneTableSource;
  model: DerivationModel;
  ploidy: Ploidy;
  /** The allele that stands for "no variant found" (DPYD "Reference", VKORC1 "C"). */
  referenceAllele?: string;
  /**
   * Variants (VariantFinding, GeneCall.variants) may stand in for a diplotype: each present variant is one copy
   * (two if homozygous); copies not accounted for are the reference allele.
   */
  variantInput?: boolean;
  /** Functions from most to least severe: which variants count when more are found than there are copies. */
  severityOrder?: string[];
  /** When set, a reported variant the table does not list gets this function, by the lab's classification. */
  unlistedVariantFunctions?: UnlistedVariantFunctions;
  alleles: AlleleDefinition[];
  /** model "function": function combination → phenotype. */
  phenotypes?: FunctionPhenotype[];
  /** model "activity-score": score ranges → phenotype. */
  activityScores?: ActivityScoreRange[];
  /** model "risk-allele": two-field alleles ("*57:01") whose carrier status is reported. */
  riskAlleles?: string[];
  notes?: string[];
}

export interface GeneTableValidation {
  table?: GeneTable;
  errors: string[];
}

// Marked pure: a bundle that never validates a gene table (the service) drops the schema.
const shapeValidator = /* @__PURE__ */ lazyValidator<GeneTable>(schema);

/** The key alleles are matched by: case and white space do not matter. */
export const alleleKey = (name: string): string => name.normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/** Checks a parsed rules/genes file: the schema, then what a schema cannot say (uniqueness, references). */
export function validateGeneTable(json: unknown): GeneTableValidation {
  const validateShape = shapeValidator();
  if (!validateShape(json)) {
    const errors = (validateShape.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${paramsText(e.params)}`,
    );
    return { errors };
  }
  const table = json;
  const errors = semanticErrors(table);
  return errors.length > 0 ? { errors } : { table, errors: [] };
}

function paramsText(params: Record<string, unknown>): string {
  const extra = params.additionalProperty ?? params.allowedValues ?? params.missingProperty;
  return extra === undefined ? '' : ` (${JSON.stringify(extra)})`;
}

function semanticErrors(table: GeneTable): string[] {
  const errors: string[] = [];
  const seen = new Map<string, string>();
  const functions = new Set<string>();
  for (const allele of table.alleles) {
    functions.add(allele.function);
    for (const name of [allele.name, ...(allele.aliases ?? [])]) {
      const key = alleleKey(name);
      const owner = seen.get(key);
      if (owner !== undefined && owner !== allele.name) {
        errors.push(`allele name or alias "${name}" of ${allele.name} already names ${owner}`);
      } else if (owner === allele.name && name !== allele.name) {
        errors.push(`alias "${name}" of ${allele.name} repeats a name of the same allele`);
      }
      seen.set(key, allele.name);
    }
    if (table.model === 'activity-score' && allele.activityValue === undefined) {
      errors.push(
        `allele ${allele.name} needs an activityValue (a number, or null) in an activity-score table`,
      );
    }
  }
  const names = new Set(table.alleles.map((a) => a.name));
  if (table.referenceAllele !== undefined && !names.has(table.referenceAllele)) {
    errors.push(`referenceAllele ${table.referenceAllele} is not one of the alleles`);
  }
  for (const f of table.severityOrder ?? []) {
    if (!functions.has(f)) errors.push(`severityOrder names function "${f}" that no allele has`);
  }
  const pairs = new Set<string>();
  for (const rule of table.phenotypes ?? []) {
    for (const f of rule.functions) {
      if (!functions.has(f)) errors.push(`phenotype rule names function "${f}" that no allele has`);
    }
    const key = [...rule.functions].sort().join(' + ');
    if (pairs.has(key)) errors.push(`two phenotype rules for functions ${key}`);
    pairs.add(key);
    if (table.ploidy === 'diploid' && rule.functions.length !== 2) {
      errors.push(`a diploid gene's phenotype rule needs two functions (${key})`);
    }
    if (table.ploidy === 'haploid' && rule.functions.length !== 1) {
      errors.push(`a haploid gene's phenotype rule needs one function (${key})`);
    }
  }
  const ranges = [...(table.activityScores ?? [])].sort((a, b) => a.min - b.min);
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r.max !== undefined && r.max < r.min) errors.push(`score range ${r.min}-${r.max} is empty`);
    const next = ranges[i + 1];
    if (next !== undefined && (r.max === undefined || r.max >= next.min)) {
      errors.push(`score ranges starting at ${r.min} and ${next.min} overlap`);
    }
  }
  return errors;
}
