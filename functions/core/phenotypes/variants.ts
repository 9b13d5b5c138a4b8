/**
 * Reported variants → allele copies, for genes whose table allows it (DPYD, RYR1, CACNA1S, MT-RNR1, VKORC1).
 * Each present variant is one copy (two if homozygous); copies not accounted for are the reference allele.
 * With more variant copies than gene copies, the most severe count (CPIC DPYD: the two lowest values).
 */
import type { Significance, Zygosity } from '../model';
import { type AlleleCopy, type CompiledTable, cleanAlleleToken, copyOf, findAllele } from './alleles';
import { type Evaluation, evaluateCopies, indeterminate } from './genotype';

/** One reported variant. */
export interface VariantEvidence {
  /** Names to try, best first: c. HGVS, rs id, ClinVar id, p. HGVS, g. HGVS. */
  names: string[];
  /** Copies carried; "unknown" when the zygosity was not reported. */
  copies: 1 | 2 | 'unknown';
  significance: Significance;
  display: string;
}

export function copiesFor(zygosity: Zygosity): 1 | 2 | 'unknown' {
  switch (zygosity) {
    case 'heterozygous':
    case 'hemizygous':
      return 1;
    case 'homozygous':
      return 2;
    case 'unknown':
      return 'unknown';
  }
}

interface Found {
  copy: AlleleCopy;
  copies: 1 | 2 | 'unknown';
}

/**
 * Variants → result. `noCalls` describes positions the lab tried but could not call: the result stands only if
 * the worst allele at those positions would not change its lookup key.
 */
export function evaluateVariants(
  ct: CompiledTable,
  evidence: readonly VariantEvidence[],
  noCalls: readonly string[],
): Evaluation {
  const { table, reference } = ct;
  if (table.variantInput !== true || reference === undefined) {
    return indeterminate([`${table.gene}: variants alone cannot be interpreted; a diplotype is needed`]);
  }
  const notes: string[] = [];
  const found: Found[] = [];
  for (const e of evidence) {
    const copy = variantCopy(ct, e, notes);
    if (copy === 'unknown') {
      return indeterminate([
        `${table.gene}: variant ${e.display} is not in the ${table.gene} table ` +
          `(${table.source.name} ${table.source.version}); phenotype cannot be assigned`,
      ]);
    }
    const disagreement = copy === undefined ? undefined : benignButImpaired(ct, copy, e);
    if (disagreement) return indeterminate([disagreement]);
    if (copy !== undefined && copy.label !== reference.name) found.push({ copy, copies: e.copies });
  }
  const haploid = table.ploidy === 'haploid';
  const scenario = (unknownAs: 1 | 2): AlleleCopy[] =>
    found.flatMap((f) => {
      const n = haploid ? 1 : f.copies === 'unknown' ? unknownAs : f.copies;
      return n === 2 ? [f.copy, f.copy] : [f.copy];
    });
  if (found.length === 0) {
    notes.push(`${table.gene}: no variant found; every copy taken as ${reference.name}`);
  }
  const low = settle(ct, scenario(1), noCalls);
  if (found.some((f) => f.copies === 'unknown') && !haploid) {
    const high = settle(ct, scenario(2), noCalls);
    if (high.lookupKey !== low.lookupKey || high.status !== low.status) {
      return indeterminate(
        [
          ...notes,
          `${table.gene}: zygosity not reported; one copy gives ${describe(low)}, two copies give ${describe(high)}`,
        ],
        low.diplotype,
      );
    }
    notes.push(`${table.gene}: zygosity not reported; the result is the same for one or two copies`);
  }
  return { ...low, notes: [...notes, ...low.notes] };
}

/**
 * A lab that calls a variant benign while the table (CPIC) gives it impaired function contradicts itself or
 * the table; neither is silently believed: the result is indeterminate until someone resolves it.
 */
function benignButImpaired(ct: CompiledTable, copy: AlleleCopy, e: VariantEvidence): string | undefined {
  if (e.significance !== 'benign' && e.significance !== 'likely-benign') return undefined;
  const allele = copy.allele;
  if (!allele || allele.name === ct.reference?.name) return undefined;
  const impaired =
    typeof allele.activityValue === 'number' ? allele.activityValue < 1 : !/^normal/i.test(allele.function);
  return impaired
    ? `${ct.table.gene}: the lab classified ${e.display} as ${e.significance}, but ${ct.table.source.name} gives ` +
        `${allele.name} "${allele.function}"; the two disagree, so no phenotype is assigned`
    : undefined;
}

function describe(e: Evaluation): string {
  return e.status === 'called' ? `${e.lookupKey}` : 'an indeterminate result';
}

function variantCopy(
  ct: CompiledTable,
  e: VariantEvidence,
  notes: string[],
): AlleleCopy | undefined | 'unknown' {
  for (const name of e.names) {
    const hit = findAllele(ct, cleanAlleleToken(name, ct.table.gene));
    if (hit !== undefined) return copyOf(ct, hit.index);
  }
  const assumed = unlistedFunction(ct, e.significance);
  if (assumed === undefined) return 'unknown';
  notes.push(
    `${ct.table.gene}: variant ${e.display} is not in the table; counted as "${assumed}" from the lab's ` +
      `classification (${e.significance})`,
  );
  return {
    label: e.display,
    known: true,
    allele: { name: e.display, function: assumed },
    order: [Number.MAX_SAFE_INTEGER, 1, 0, e.display],
  };
}

function unlistedFunction(ct: CompiledTable, significance: Significance): string | undefined {
  const u = ct.table.unlistedVariantFunctions;
  if (u === undefined || ct.table.model !== 'function') return undefined;
  switch (significance) {
    case 'pathogenic':
    case 'likely-pathogenic':
      return u.pathogenic;
    case 'uncertain':
      return u.uncertain;
    case 'benign':
    case 'likely-benign':
      return u.benign;
    case 'unknown':
      return undefined;
  }
}

const copyCount = (ct: CompiledTable): number => (ct.table.ploidy === 'haploid' ? 1 : 2);

/** Pads with reference copies or keeps the most severe, evaluates, then checks no-call positions. */
function settle(ct: CompiledTable, variantCopies: AlleleCopy[], noCalls: readonly string[]): Evaluation {
  const chosen = choose(ct, variantCopies);
  if (typeof chosen === 'string') return indeterminate([chosen]);
  const result = evaluateCopies(ct, chosen.copies);
  const notes = chosen.note === undefined ? [...result.notes] : [chosen.note, ...result.notes];
  if (noCalls.length === 0 || result.status !== 'called') return { ...result, notes };
  const worst = worstAllele(ct);
  const worstCase = worst === undefined ? undefined : choose(ct, [...variantCopies, worst, worst]);
  const worstResult =
    worstCase === undefined || typeof worstCase === 'string'
      ? undefined
      : evaluateCopies(ct, worstCase.copies);
  const where = noCalls.join(', ');
  if (worstResult === undefined || worstResult.lookupKey !== result.lookupKey) {
    return indeterminate(
      [...notes, `${ct.table.gene}: not called at ${where}; a variant there could change the result`],
      result.diplotype,
    );
  }
  return {
    ...result,
    notes: [...notes, `${ct.table.gene}: not called at ${where}; no variant there could change the result`],
  };
}

function choose(
  ct: CompiledTable,
  variantCopies: AlleleCopy[],
): { copies: AlleleCopy[]; note?: string } | string {
  const n = copyCount(ct);
  const referenceCopy = copyOf(ct, ct.table.alleles.indexOf(ct.reference!))!;
  if (variantCopies.length <= n) {
    return {
      copies: [...variantCopies, ...Array.from({ length: n - variantCopies.length }, () => referenceCopy)],
    };
  }
  const ranked = rank(ct, variantCopies);
  if (ranked === undefined) {
    return `${ct.table.gene}: ${variantCopies.length} variant copies found for ${n} gene copies; which ones share a chromosome is unknown`;
  }
  const kept = ranked.slice(0, n);
  return {
    copies: kept,
    note: `${ct.table.gene}: ${variantCopies.length} variant copies found (${variantCopies.map((c) => c.label).join(', ')}); the ${n === 1 ? 'most severe counts' : `${n} most severe count`}`,
  };
}

/** Most severe first, or undefined when severity cannot be ordered. */
function rank(ct: CompiledTable, copies: AlleleCopy[]): AlleleCopy[] | undefined {
  if (ct.table.model === 'activity-score') {
    if (copies.some((c) => c.value === null || c.value === undefined)) return undefined;
    return [...copies].sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
  }
  const order = ct.table.severityOrder;
  if (order === undefined) return undefined;
  const severity = (c: AlleleCopy): number => {
    const i = order.indexOf(c.allele?.function ?? '');
    return i < 0 ? order.length : i;
  };
  return [...copies].sort((a, b) => severity(a) - severity(b));
}

/** The allele a missing position could at worst carry. */
function worstAllele(ct: CompiledTable): AlleleCopy | undefined {
  const { alleles } = ct.table;
  let index = -1;
  if (ct.table.model === 'activity-score') {
    let best = Number.POSITIVE_INFINITY;
    alleles.forEach((a, i) => {
      if (typeof a.activityValue === 'number' && a.activityValue < best) {
        best = a.activityValue;
        index = i;
      }
    });
  } else {
    const first = ct.table.severityOrder?.[0];
    index = first === undefined ? -1 : alleles.findIndex((a) => a.function === first);
  }
  return copyOf(ct, index);
}
