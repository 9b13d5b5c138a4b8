import type {
  AlleleStatus,
  ConditionFinding,
  Findings,
  GeneResult,
  ResultStatus,
  VariantFinding,
} from '../model';

/** What the `gene` fact gives a rule. A gene with no germline result is `not-tested`, never normal. */
export interface GeneFact {
  status: ResultStatus | 'not-tested';
  lookupKey: string;
  phenotype: string | null;
  activityScore: number | null;
  diplotype: string | null;
}

/** What the `variants` fact gives: germline allele copies found for a gene, by classification. */
export interface VariantsFact {
  tested: boolean;
  pathogenic: number;
  unclassified: number;
  uncertain: number;
  benign: number;
}

export type DiagnosisFact = 'present' | 'refuted' | 'not-recorded';

export const NOT_TESTED: GeneFact = {
  status: 'not-tested',
  lookupKey: 'No Result',
  phenotype: null,
  activityScore: null,
  diplotype: null,
};

/**
 * The patient's findings indexed for rule conditions. Built once per evaluation; only germline (or
 * unspecified-origin) results are visible, so a somatic finding can never fire a germline rule.
 */
export class PatientFacts {
  private readonly genes = new Map<string, GeneResult>();
  private readonly variantsByGene = new Map<string, VariantFinding[]>();
  private readonly diagnoses = new Map<string, DiagnosisFact>();

  constructor(findings: Findings) {
    for (const result of findings.genes) {
      if (result.origin === 'somatic') continue;
      const existing = this.genes.get(result.gene);
      // Germline beats unknown origin when both exist; the derivation step already merged equal origins.
      if (!existing || (existing.origin === 'unknown' && result.origin === 'germline')) {
        this.genes.set(result.gene, result);
      }
    }
    for (const variant of findings.variants) {
      if (variant.origin === 'somatic') continue;
      const list = this.variantsByGene.get(variant.gene) ?? [];
      list.push(variant);
      this.variantsByGene.set(variant.gene, list);
    }
    for (const condition of findings.conditions) {
      if (!condition.key || condition.origin === 'somatic') continue;
      const state = diagnosisState(condition);
      // A present record wins over a refuted one: a refutation elsewhere must not hide a diagnosis.
      if (state === 'present' || !this.diagnoses.has(condition.key)) this.diagnoses.set(condition.key, state);
    }
  }

  gene(symbol: string): GeneFact {
    const result = this.genes.get(symbol);
    if (!result) return NOT_TESTED;
    const score =
      result.activityScore === undefined ? null : Number.parseFloat(result.activityScore.replace('≥', ''));
    return {
      status: result.status,
      lookupKey: result.lookupKey,
      phenotype: result.phenotype ?? null,
      activityScore: score === null || Number.isNaN(score) ? null : score,
      diplotype: result.diplotype ?? null,
    };
  }

  /**
   * The gene as a recommendation reports it: its result, or for genes tested only by variant calls
   * (SERPINC1, F5 ...) a summary of the germline variants found.
   */
  geneSummary(symbol: string): { lookupKey: string; status: GeneFact['status'] } {
    const fact = this.gene(symbol);
    if (fact.status !== 'not-tested') return { lookupKey: fact.lookupKey, status: fact.status };
    const variants = this.variants(symbol);
    if (!variants.tested) return { lookupKey: fact.lookupKey, status: 'not-tested' };
    const lookupKey =
      variants.pathogenic > 0
        ? 'Pathogenic variant'
        : variants.unclassified > 0
          ? 'Variant, significance not stated'
          : variants.uncertain > 0
            ? 'Variant of uncertain significance'
            : 'No pathogenic variant found';
    return { lookupKey, status: 'called' };
  }

  geneResult(symbol: string): GeneResult | undefined {
    return this.genes.get(symbol);
  }

  allele(symbol: string, allele: string): AlleleStatus | 'not-tested' {
    const result = this.genes.get(symbol);
    if (!result) return 'not-tested';
    if (result.status !== 'called') return 'indeterminate';
    return result.alleleStatuses?.[allele] ?? 'indeterminate';
  }

  variants(symbol: string, ids?: readonly string[]): VariantsFact {
    const all = this.variantsByGene.get(symbol) ?? [];
    const wanted = ids?.map(normaliseVariantId);
    const relevant = wanted ? all.filter((v) => variantIds(v).some((id) => wanted.includes(id))) : all;
    const fact: VariantsFact = {
      tested: all.length > 0 || this.genes.has(symbol),
      pathogenic: 0,
      unclassified: 0,
      uncertain: 0,
      benign: 0,
    };
    for (const variant of relevant) {
      if (variant.presence !== 'present') continue;
      const copies = variant.zygosity === 'homozygous' ? 2 : 1;
      switch (variant.significance) {
        case 'pathogenic':
        case 'likely-pathogenic':
          fact.pathogenic += copies;
          break;
        case 'unknown':
          fact.unclassified += copies;
          break;
        case 'uncertain':
          fact.uncertain += copies;
          break;
        case 'likely-benign':
        case 'benign':
          fact.benign += copies;
          break;
        default:
          assertNever(variant.significance);
      }
    }
    return fact;
  }

  diagnosis(key: string): DiagnosisFact {
    return this.diagnoses.get(key) ?? 'not-recorded';
  }
}

function diagnosisState(condition: ConditionFinding): DiagnosisFact {
  return condition.verification === 'refuted' || condition.verification === 'entered-in-error'
    ? 'refuted'
    : 'present';
}

function variantIds(variant: VariantFinding): string[] {
  return [...variant.ids, variant.hgvs.c, variant.hgvs.g, variant.hgvs.p]
    .filter((id): id is string => typeof id === 'string')
    .map(normaliseVariantId);
}

/** rs ids and HGVS compared without case, spaces or a transcript prefix (NM_000130.5:c.1601G>A). */
export function normaliseVariantId(id: string): string {
  const trimmed = id.replace(/\s+/g, '').toLowerCase();
  const colon = trimmed.lastIndexOf(':');
  return colon >= 0 && /^[cgpnm]\./.test(trimmed.slice(colon + 1)) ? trimmed.slice(colon + 1) : trimmed;
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${String(value)}`);
}
