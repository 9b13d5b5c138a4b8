/**
 * The values that flow through the core: what the patient's genome says (findings), what is being ordered
 * (orders), and what Tailor advises (recommendations). Everything here is plain data: serialisable, no classes.
 */

/** Where a finding came from, so a clinician can trace it back to the lab result. */
export interface SourceRef {
  resourceType: string;
  id?: string;
  /** Which FHIR shape it was read as (see functions/core/findings). */
  shape: FhirShape;
  /** When the lab issued the result (Observation.issued or effective[x]), ISO 8601. */
  issued?: string;
  /** The performing lab, as text. */
  performer?: string;
}

export type FhirShape =
  | 'stu3'
  | 'stu2'
  | 'ballot-2021'
  | 'stu1'
  | 'genetics-extension'
  | 'text'
  | 'condition'
  | 'case';

/** Germline findings drive germline rules; somatic ones never do. */
export type Origin = 'germline' | 'somatic' | 'unknown';

/**
 * called: a usable result. indeterminate: tested, but the result cannot be interpreted (unknown allele,
 * no call, ambiguous HLA typing). conflict: two results for one gene disagree. A gene with no result at all
 * has no GeneResult: that is "not tested", never normal.
 */
export type ResultStatus = 'called' | 'indeterminate' | 'conflict';

export type AlleleStatus = 'positive' | 'negative' | 'indeterminate';

/** A raw call for one gene as the lab reported it, before phenotype derivation. */
export interface GeneCall {
  /** HGNC symbol, upper case (e.g. CYP2C19, HLA-B, MT-RNR1). */
  gene: string;
  origin: Origin;
  /** Normalised diplotype, alleles sorted: "*1/*17", "*1x2/*4", "*57:01/*08:01"; haploid genes: "m.1555A>G". */
  diplotype?: string;
  /** HLA: two-field alleles present, with ambiguity lists kept as alternatives. */
  hla?: HlaTyping;
  /** HLA presence tests: allele (two fields, "*57:01") → status. */
  alleleTests?: Record<string, AlleleStatus>;
  /** Phenotype as reported by the lab, canonical CPIC wording where recognised ("Poor Metabolizer"). */
  reportedPhenotype?: string;
  /** Activity score as reported by the lab. */
  reportedActivityScore?: string;
  /** Variants the lab reported for this gene (DPYD and others derive from variants). */
  variants?: string[];
  /** The call was made but cannot be read: no call, unparseable, failed. */
  indeterminate?: boolean;
  note?: string;
  sources: SourceRef[];
}

export interface HlaTyping {
  /** One entry per copy (normally two); each copy lists its ambiguous alternatives (usually one). */
  copies: string[][];
}

/** A gene's interpreted result: what rules read. */
export interface GeneResult {
  gene: string;
  origin: Origin;
  status: ResultStatus;
  diplotype?: string;
  /** CPIC phenotype ("Intermediate Metabolizer", "Decreased Function", "Deficient", ...). */
  phenotype?: string;
  activityScore?: string;
  /**
   * What CPIC recommendations are looked up by: the phenotype, the activity score as a string (CYP2C9,
   * CYP2D6, DPYD), or "Indeterminate".
   */
  lookupKey: string;
  /** HLA and other allele-presence genes: per risk allele ("*57:01"). */
  alleleStatuses?: Record<string, AlleleStatus>;
  /** When the lab's phenotype and the derived one differ, both are kept and the result is flagged. */
  reportedPhenotype?: string;
  derivedPhenotype?: string;
  /** Human-readable reasons for indeterminate/conflict status and for disagreements. */
  notes: string[];
  sources: SourceRef[];
}

export type Zygosity = 'heterozygous' | 'homozygous' | 'hemizygous' | 'unknown';
export type Significance =
  | 'pathogenic'
  | 'likely-pathogenic'
  | 'uncertain'
  | 'likely-benign'
  | 'benign'
  | 'unknown';
export type Presence = 'present' | 'absent' | 'no-call' | 'indeterminate';

export interface VariantFinding {
  gene: string;
  /** dbSNP rs ids, ClinVar ids, and HGVS expressions: every identifier the lab gave. */
  ids: string[];
  hgvs: { c?: string; g?: string; p?: string };
  presence: Presence;
  zygosity: Zygosity;
  significance: Significance;
  origin: Origin;
  sources: SourceRef[];
}

/** A diagnosis: from a Condition, or from a diagnostic-implication Observation. */
export interface ConditionFinding {
  /** Our vocabulary key ("hereditary-antithrombin-deficiency"), when the codes or text map to one. */
  key?: string;
  codes: { system?: string; code?: string; display?: string }[];
  text?: string;
  /** confirmed / provisional / refuted / entered-in-error ... */
  verification: string;
  /** active / resolved / ... ; diagnostic implications are "active". */
  clinical: string;
  origin: Origin;
  sources: SourceRef[];
}

/** Something the reader noticed and could not use, or used with a caveat. Never patient values. */
export interface ReaderIssue {
  severity: 'warning' | 'error';
  message: string;
  resource?: string;
}

export interface Findings {
  genes: GeneResult[];
  variants: VariantFinding[];
  conditions: ConditionFinding[];
  issues: ReaderIssue[];
}

/** The reader's output before derivation. */
export interface RawFindings {
  calls: GeneCall[];
  variants: VariantFinding[];
  conditions: ConditionFinding[];
  issues: ReaderIssue[];
}

/** One order resolved to ingredients. */
export interface Order {
  /** The MedicationRequest id (or a generated one). */
  id: string;
  /** What the order said, for display. */
  display: string;
  /** Ingredient keys from the drug vocabulary ("clopidogrel"). Empty when nothing matched. */
  ingredients: string[];
  /** How each ingredient was matched. */
  matchedBy: Record<string, 'rxnorm' | 'atc' | 'snomed' | 'name'>;
  /** Codes that matched no ingredient (kept so an unknown code is never silently treated as "no drug"). */
  unmatchedCodes: string[];
}

export type Action =
  | 'avoid'
  | 'use-alternative'
  | 'adjust-dose'
  | 'monitor'
  | 'standard'
  | 'no-recommendation'
  | 'indeterminate'
  | 'not-tested';

export type Strength = 'Strong' | 'Moderate' | 'Optional' | 'No recommendation';
export type Indicator = 'info' | 'warning' | 'critical';

export interface Evidence {
  source: string;
  guideline: string;
  version: string;
  strength: Strength;
  url: string;
  pmids?: string[];
  accessed?: string;
}

export interface Alternative {
  ingredient?: string;
  text: string;
}

export interface Recommendation {
  ruleId: string;
  ruleVersion: string;
  ruleSetVersion: string;
  orderId: string;
  drug: string;
  /** The genes this recommendation read, with the lookup key each had. "No Result" when untested. */
  genes: { gene: string; lookupKey: string; status: ResultStatus | 'not-tested' }[];
  /** The diagnoses (rules/diagnoses keys) the rule read, and what the patient's record says of each. */
  diagnoses: { key: string; state: 'present' | 'refuted' | 'not-recorded' }[];
  classification: Strength;
  action: Action;
  indicator: Indicator;
  summary: string;
  detail: string;
  alternatives: Alternative[];
  populationNotes: string[];
  evidence: Evidence[];
}
