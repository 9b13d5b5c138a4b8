/**
 * Allele copies → phenotype, activity score and lookup key, following the gene table.
 */
import {
  type AlleleCopy,
  type CompiledTable,
  compareCopies,
  formatScore,
  functionsKey,
  resolveCopy,
} from './alleles';

export const INDETERMINATE = 'Indeterminate';

/** What a genotype says, before it is merged with other results for the gene. */
export interface Evaluation {
  status: 'called' | 'indeterminate';
  diplotype?: string;
  phenotype?: string;
  activityScore?: string;
  lookupKey: string;
  notes: string[];
}

export function indeterminate(notes: string[], diplotype?: string): Evaluation {
  return {
    status: 'indeterminate',
    ...(diplotype ? { diplotype } : {}),
    phenotype: INDETERMINATE,
    lookupKey: INDETERMINATE,
    notes,
  };
}

/** Splits a diplotype string ("*1/*17", "*1x2/*4", "m.1555A>G") and evaluates it. */
export function evaluateDiplotype(ct: CompiledTable, diplotype: string): Evaluation {
  const parts = diplotype.split('/').filter((p) => p.trim() !== '');
  if (parts.length === 0) return indeterminate([`${ct.table.gene}: the diplotype "${diplotype}" is empty`]);
  return evaluateCopies(
    ct,
    parts.map((p) => resolveCopy(ct, p)),
  );
}

const copiesAllowed = (ct: CompiledTable): readonly number[] => {
  switch (ct.table.ploidy) {
    case 'diploid':
      return [2];
    case 'haploid':
      return [1];
    case 'x-linked':
      return [1, 2];
  }
};

export function joinCopies(copies: readonly AlleleCopy[]): string {
  return [...copies]
    .sort(compareCopies)
    .map((c) => c.label)
    .join('/');
}

/** Allele copies → result. Unknown alleles, missing values and combinations the table lacks are indeterminate. */
export function evaluateCopies(ct: CompiledTable, copies: readonly AlleleCopy[]): Evaluation {
  const { table } = ct;
  const diplotype = joinCopies(copies);
  const allowed = copiesAllowed(ct);
  if (!allowed.includes(copies.length)) {
    return indeterminate(
      [`${table.gene}: expected ${allowed.join(' or ')} allele(s) but "${diplotype}" has ${copies.length}`],
      diplotype,
    );
  }
  const unknown = copies.filter((c) => !c.known);
  if (unknown.length > 0) {
    return indeterminate(
      [
        `${table.gene}: ${unknown.map((c) => c.label).join(', ')} not in the ${table.gene} table ` +
          `(${table.source.name} ${table.source.version}); phenotype cannot be assigned`,
      ],
      diplotype,
    );
  }
  switch (table.model) {
    case 'function':
      return byFunction(ct, copies, diplotype);
    case 'activity-score':
      return byScore(ct, copies, diplotype);
    case 'risk-allele':
      return indeterminate(
        [`${table.gene}: risk-allele genes are read from HLA typing, not a diplotype`],
        diplotype,
      );
  }
}

function byFunction(ct: CompiledTable, copies: readonly AlleleCopy[], diplotype: string): Evaluation {
  const functions = copies.map((c) => c.allele?.function ?? '');
  const rule = ct.rules.get(functionsKey(functions));
  if (rule === undefined) {
    return indeterminate(
      [`${ct.table.gene}: no phenotype is defined for ${functions.join(' + ')} (${diplotype})`],
      diplotype,
    );
  }
  if (rule.phenotype === INDETERMINATE) {
    return indeterminate(
      [`${ct.table.gene} ${diplotype}: ${functions.join(' + ')} gives no phenotype`],
      diplotype,
    );
  }
  return {
    status: 'called',
    diplotype,
    phenotype: rule.phenotype,
    lookupKey: rule.lookupKey ?? rule.phenotype,
    notes: [],
  };
}

function byScore(ct: CompiledTable, copies: readonly AlleleCopy[], diplotype: string): Evaluation {
  const missing = copies.filter((c) => c.value === null || c.value === undefined);
  if (missing.length > 0) {
    const why = missing.map((c) => `${c.label} (${c.allele?.function ?? 'no activity value'})`).join(', ');
    return indeterminate([`${ct.table.gene} ${diplotype}: no activity value for ${why}`], diplotype);
  }
  const score = copies.reduce((sum, c) => sum + (c.value ?? 0), 0);
  const atLeast = copies.some((c) => c.atLeast === true);
  return scoreResult(ct, score, atLeast, diplotype);
}

/** Score → phenotype. A "≥" score is classified only when its whole range lies in one phenotype. */
export function scoreResult(
  ct: CompiledTable,
  score: number,
  atLeast: boolean,
  diplotype?: string,
): Evaluation {
  const activityScore = formatScore(score, atLeast);
  const range = (ct.table.activityScores ?? []).find(
    (r) => score >= r.min - 1e-9 && (r.max === undefined || score <= r.max + 1e-9),
  );
  if (range === undefined) {
    return indeterminate(
      [`${ct.table.gene}: activity score ${activityScore} is outside the table's ranges`],
      diplotype,
    );
  }
  if (atLeast && range.max !== undefined) {
    return indeterminate(
      [
        `${ct.table.gene}: activity score ${activityScore} may fall in more than one phenotype (copy number unknown)`,
      ],
      diplotype,
    );
  }
  if (range.phenotype === INDETERMINATE) {
    return indeterminate([`${ct.table.gene}: activity score ${activityScore} gives no phenotype`], diplotype);
  }
  return {
    status: 'called',
    ...(diplotype !== undefined ? { diplotype } : {}),
    phenotype: range.phenotype,
    activityScore,
    lookupKey: activityScore,
    notes: [],
  };
}
