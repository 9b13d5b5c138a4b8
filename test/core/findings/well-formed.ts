/** What every reader output must satisfy, whatever the input. */
import type { RawFindings, SourceRef } from '../../../functions/core/model';

const SHAPES = new Set([
  'stu3',
  'stu2',
  'ballot-2021',
  'stu1',
  'genetics-extension',
  'text',
  'condition',
  'case',
]);
const ORIGINS = new Set(['germline', 'somatic', 'unknown']);
const PRESENCE = new Set(['present', 'absent', 'no-call', 'indeterminate']);
const ZYGOSITY = new Set(['heterozygous', 'homozygous', 'hemizygous', 'unknown']);
const SIGNIFICANCE = new Set([
  'pathogenic',
  'likely-pathogenic',
  'uncertain',
  'likely-benign',
  'benign',
  'unknown',
]);
const ALLELE_STATUS = new Set(['positive', 'negative', 'indeterminate']);

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

function sourceProblems(where: string, sources: SourceRef[]): string[] {
  const out: string[] = [];
  if (!Array.isArray(sources) || sources.length === 0) return [`${where}: no sources`];
  for (const s of sources) {
    if (!isString(s.resourceType) || s.resourceType === '') out.push(`${where}: source without resourceType`);
    if (!SHAPES.has(s.shape)) out.push(`${where}: bad shape`);
    for (const k of ['id', 'issued', 'performer'] as const) {
      if (s[k] !== undefined && !isString(s[k])) out.push(`${where}: source ${k} not a string`);
    }
  }
  return out;
}

/** Problems with a reader output; empty when it is well formed. */
export function wellFormedProblems(f: RawFindings): string[] {
  const out: string[] = [];
  if (
    !Array.isArray(f.calls) ||
    !Array.isArray(f.variants) ||
    !Array.isArray(f.conditions) ||
    !Array.isArray(f.issues)
  ) {
    return ['not four arrays'];
  }
  f.calls.forEach((c, i) => {
    const w = `call ${i}`;
    if (!isString(c.gene) || c.gene === '' || c.gene !== c.gene.toUpperCase()) out.push(`${w}: bad gene`);
    if (!ORIGINS.has(c.origin)) out.push(`${w}: bad origin`);
    if (c.diplotype !== undefined && (!isString(c.diplotype) || c.diplotype === ''))
      out.push(`${w}: bad diplotype`);
    if (c.hla !== undefined) {
      if (!Array.isArray(c.hla.copies) || c.hla.copies.length === 0) out.push(`${w}: empty hla`);
      for (const copy of c.hla.copies ?? []) {
        if (
          !Array.isArray(copy) ||
          copy.length === 0 ||
          !copy.every((a) => isString(a) && a.startsWith('*'))
        ) {
          out.push(`${w}: bad hla copy`);
        }
      }
    }
    for (const [allele, status] of Object.entries(c.alleleTests ?? {})) {
      if (!allele.startsWith('*') || !ALLELE_STATUS.has(status)) out.push(`${w}: bad allele test`);
    }
    for (const k of ['reportedPhenotype', 'reportedActivityScore', 'note'] as const) {
      if (c[k] !== undefined && !isString(c[k])) out.push(`${w}: ${k} not a string`);
    }
    if (c.variants !== undefined && !c.variants.every(isString)) out.push(`${w}: bad variants`);
    if (c.indeterminate !== undefined && c.indeterminate !== true) out.push(`${w}: indeterminate not true`);
    out.push(...sourceProblems(w, c.sources));
  });
  f.variants.forEach((v, i) => {
    const w = `variant ${i}`;
    if (!isString(v.gene) || v.gene !== v.gene.toUpperCase()) out.push(`${w}: bad gene`);
    if (!Array.isArray(v.ids) || !v.ids.every(isString)) out.push(`${w}: bad ids`);
    if (v.gene === '' && v.ids.length === 0) out.push(`${w}: neither gene nor id`);
    for (const k of ['c', 'g', 'p'] as const)
      if (v.hgvs[k] !== undefined && !isString(v.hgvs[k])) out.push(`${w}: bad hgvs`);
    if (!PRESENCE.has(v.presence) || !ZYGOSITY.has(v.zygosity) || !SIGNIFICANCE.has(v.significance)) {
      out.push(`${w}: bad answer`);
    }
    if (!ORIGINS.has(v.origin)) out.push(`${w}: bad origin`);
    out.push(...sourceProblems(w, v.sources));
  });
  f.conditions.forEach((c, i) => {
    const w = `condition ${i}`;
    if (c.key !== undefined) out.push(`${w}: key set by the reader`);
    if (
      !Array.isArray(c.codes) ||
      !c.codes.every((k) => [k.system, k.code, k.display].every((x) => x === undefined || isString(x)))
    ) {
      out.push(`${w}: bad codes`);
    }
    if (c.codes.length === 0 && !isString(c.text)) out.push(`${w}: neither codes nor text`);
    if (!isString(c.verification) || !isString(c.clinical)) out.push(`${w}: bad status`);
    if (c.verification === 'entered-in-error') out.push(`${w}: entered-in-error kept`);
    if (!ORIGINS.has(c.origin)) out.push(`${w}: bad origin`);
    out.push(...sourceProblems(w, c.sources));
  });
  f.issues.forEach((issue, i) => {
    if (issue.severity !== 'warning' && issue.severity !== 'error') out.push(`issue ${i}: bad severity`);
    if (!isString(issue.message) || issue.message === '') out.push(`issue ${i}: no message`);
    if (issue.resource !== undefined && !isString(issue.resource)) out.push(`issue ${i}: bad resource`);
  });
  try {
    JSON.stringify(f);
  } catch {
    out.push('not serialisable');
  }
  return out;
}
