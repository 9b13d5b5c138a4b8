/**
 * Allele names → table alleles: alias resolution, CYP2D6-style copy numbers and tandems, canonical order.
 */
import { type AlleleDefinition, alleleKey, type FunctionPhenotype, type GeneTable } from './gene-table';

/** A table prepared for lookups. Built once per table object (tables are immutable data). */
export interface CompiledTable {
  table: GeneTable;
  /** Canonical order of each allele: table order, the reference allele first. */
  rank: readonly number[];
  byKey: ReadonlyMap<string, number>;
  /** Function combination key (sorted functions) → rule. */
  rules: ReadonlyMap<string, FunctionPhenotype>;
  reference?: AlleleDefinition;
  /** Phenotypes the table can produce, by lower-case text, for reading labs' phenotype text. */
  phenotypes: ReadonlyMap<string, string>;
}

const compiled = new WeakMap<GeneTable, CompiledTable>();

export function compileTable(table: GeneTable): CompiledTable {
  const cached = compiled.get(table);
  if (cached !== undefined) return cached;
  const byKey = new Map<string, number>();
  table.alleles.forEach((allele, i) => {
    for (const name of [allele.name, ...(allele.aliases ?? [])]) {
      const key = alleleKey(name);
      if (!byKey.has(key)) byKey.set(key, i);
    }
  });
  const rules = new Map<string, FunctionPhenotype>();
  for (const rule of table.phenotypes ?? []) rules.set(functionsKey(rule.functions), rule);
  const phenotypes = new Map<string, string>();
  for (const p of [
    ...(table.phenotypes ?? []).map((r) => r.phenotype),
    ...(table.activityScores ?? []).map((r) => r.phenotype),
  ]) {
    phenotypes.set(p.toLowerCase(), p);
  }
  const reference = table.alleles.find((a) => a.name === table.referenceAllele);
  const rank = table.alleles.map((a, i) => (a === reference ? -1 : i));
  const result: CompiledTable = {
    table,
    rank,
    byKey,
    rules,
    phenotypes,
    ...(reference ? { reference } : {}),
  };
  compiled.set(table, result);
  return result;
}

export const functionsKey = (functions: readonly string[]): string => [...functions].sort().join('\u0000');

/** One allele copy (or one chromosome's arrangement, e.g. "*1x2" or "*36+*10") as read from a diplotype. */
export interface AlleleCopy {
  /** Canonical name when known, otherwise the name as given. */
  label: string;
  known: boolean;
  /** Table allele (known single alleles). */
  allele?: AlleleDefinition;
  /** Activity of this chromosome; null when any part has no value; undefined when unknown. */
  value?: number | null;
  /** The value is a lower bound (x≥3, xN). */
  atLeast?: boolean;
  /** For canonical ordering: table index of the first part (unknown alleles after known ones). */
  order: readonly [number, number, number, string];
}

const UNKNOWN_ORDER = 1_000_000;

/** Strips what labs put around an allele name: the gene symbol, an HGVS reference sequence, "p.(...)". */
export function cleanAlleleToken(raw: string, gene: string): string {
  let s = raw.normalize('NFKC').trim();
  const prefix = new RegExp(`^${escapeRegExp(gene)}(?=[\\s*:_-])[\\s:_-]*`, 'i');
  s = s.replace(prefix, '');
  s = s.replace(/^N[CGMRPT]_\d+(?:\.\d+)?(?:\([^)]*\))?:/i, '');
  s = s.replace(/^p\.\((.*)\)$/i, 'p.$1');
  return s.replace(/>=/g, '≥');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Resolves one whole allele name (no copy-number parsing). */
export function findAllele(
  ct: CompiledTable,
  token: string,
): { allele: AlleleDefinition; index: number } | undefined {
  const key = alleleKey(token);
  let index = ct.byKey.get(key);
  // Sub-alleles ("*7.001") reduce to their core allele.
  if (index === undefined) {
    const core = /^(\*\d+[a-z]?)\.\d+$/.exec(key);
    if (core?.[1] !== undefined) index = ct.byKey.get(core[1]);
  }
  if (index === undefined) return undefined;
  const allele = ct.table.alleles[index];
  return allele === undefined ? undefined : { allele, index };
}

/** Reads one allele copy of a diplotype. Activity tables also accept "*1x2", "*1x≥3", "*2xN" and "*36+*10". */
export function resolveCopy(ct: CompiledTable, raw: string): AlleleCopy {
  const token = cleanAlleleToken(raw, ct.table.gene);
  const whole = findAllele(ct, token);
  if (whole !== undefined) {
    return {
      label: whole.allele.name,
      known: true,
      allele: whole.allele,
      ...(ct.table.model === 'activity-score' ? { value: whole.allele.activityValue ?? null } : {}),
      order: [ct.rank[whole.index] ?? whole.index, 1, 0, whole.allele.name],
    };
  }
  if (ct.table.model === 'activity-score' && token.startsWith('*')) {
    const composite = resolveComposite(ct, token);
    if (composite !== undefined) return composite;
  }
  return { label: token.replace(/\s+/g, ''), known: false, order: unknownOrder(token) };
}

function unknownOrder(token: string): readonly [number, number, number, string] {
  const star = /^\*(\d+)/.exec(token);
  return [UNKNOWN_ORDER, 1, star?.[1] !== undefined ? Number(star[1]) : Number.MAX_SAFE_INTEGER, token];
}

/** "*36+*10" (tandem), "*1x2", "*1x≥3", "*2xN": activity = sum over parts of value × copies. */
function resolveComposite(ct: CompiledTable, token: string): AlleleCopy | undefined {
  const parts = token.replace(/\s+/g, '').split('+');
  let value: number | null = 0;
  let atLeast = false;
  const labels: string[] = [];
  let order: readonly [number, number, number, string] | undefined;
  for (const part of parts) {
    const m = /^(\*[^x]+?)(?:x(\d+|≥\d+|N))?$/i.exec(part);
    if (m?.[1] === undefined) return undefined;
    const base = findAllele(ct, m[1]);
    if (base === undefined) return undefined;
    const count = m[2];
    let copies = 1;
    let bound = false;
    if (count !== undefined) {
      if (count.toUpperCase() === 'N') {
        copies = 2;
        bound = true;
      } else if (count.startsWith('≥')) {
        copies = Number(count.slice(1));
        bound = true;
      } else {
        copies = Number(count);
      }
      if (!Number.isInteger(copies) || copies < 1) return undefined;
    }
    const v = base.allele.activityValue;
    if (value !== null) value = v === null || v === undefined ? null : value + v * copies;
    // Zero copies of activity stay zero however many copies there are.
    if (bound && v !== 0) atLeast = true;
    const suffix = count === undefined ? '' : count.toUpperCase() === 'N' ? 'xN' : `x${count}`;
    labels.push(`${base.allele.name}${suffix}`);
    order ??= [ct.rank[base.index] ?? base.index, copies + (bound ? 0.5 : 0), 0, ''];
  }
  if (order === undefined) return undefined;
  const label = labels.join('+');
  return {
    label,
    known: true,
    value,
    ...(atLeast ? { atLeast } : {}),
    order: [order[0], order[1], parts.length, label],
  };
}

export function compareCopies(a: AlleleCopy, b: AlleleCopy): number {
  for (let i = 0; i < 3; i++) {
    const d = (a.order[i] as number) - (b.order[i] as number);
    if (d !== 0) return d;
  }
  return a.order[3] < b.order[3] ? -1 : a.order[3] > b.order[3] ? 1 : 0;
}

/** CPIC's score spelling: "1.0", "1.5", "0.25", "≥3.0". */
export function formatScore(score: number, atLeast = false): string {
  const r = Math.round(score * 100) / 100;
  const text = Number.isInteger(r * 2) ? r.toFixed(1) : r.toFixed(2);
  return atLeast ? `≥${text}` : text;
}

/** A copy of a table allele, as the variant reader and padding need it. */
export function copyOf(ct: CompiledTable, index: number): AlleleCopy | undefined {
  const allele = ct.table.alleles[index];
  if (allele === undefined) return undefined;
  return {
    label: allele.name,
    known: true,
    allele,
    ...(ct.table.model === 'activity-score' ? { value: allele.activityValue ?? null } : {}),
    order: [ct.rank[index] ?? index, 1, 0, allele.name],
  };
}
