/**
 * FHIR resources → raw genomic findings (DOMAIN.md section 4). Reads every shape labs send: Genomics Reporting IG
 * STU3, STU2, the 2021 ballot, STU1, pre-IG "observation-genetics" extensions, text-only results in the Genomics
 * Operations reference-server style, and Conditions.
 *
 * The reader reports what it finds, one GeneCall per result. It does not derive phenotypes and does not decide
 * between two results for one gene; pieces of one result (the haplotypes of a genotype, the implications derived
 * from it) go into that result's call. It never throws: what it cannot use becomes an issue naming the resource
 * and the problem, never a patient value.
 *
 * Status: only final, amended and corrected results count. preliminary, registered, unknown or missing status:
 * not used, with an issue. entered-in-error and cancelled: silently never used, and the results of a report with
 * such a status are not used either.
 */
import type { RawFindings, ReaderIssue } from '../model';
import { finishCalls } from './calls';
import { hasLoinc, hasTbd, LOINC, statusVerdict, TBD } from './codes';
import { collect, type Entry, resolve } from './collect';
import { newContext, type ObservationKind, type ReadContext, warn } from './context';
import { get, getText, records } from './json';
import { baseShape, geneticsExtensions } from './observation';
import { readCondition } from './shapes/condition';
import { readGenotype, readLooseHaplotypes } from './shapes/genotype';
import { readDiagnostic, readTherapeutic } from './shapes/implication';
import { looksGenomic, readTextGenotype, readTextPhenotype } from './shapes/text';
import { extensionsDescribeVariant, readVariant } from './shapes/variant';

export { normaliseDiplotypeText } from './diplotype';

function kindOf(obs: Record<string, unknown>): ObservationKind {
  const code = get(obs, 'code');
  if (hasLoinc(code, LOINC.variant)) return 'variant';
  if (hasLoinc(code, LOINC.genotype)) return 'genotype';
  if (hasLoinc(code, LOINC.haplotype)) return 'haplotype';
  if (hasTbd(code, TBD.therapeuticImplication)) return 'therapeutic';
  if (hasTbd(code, TBD.diagnosticImplication)) return 'diagnostic';
  if (hasLoinc(code, LOINC.metabolism, LOINC.efficacy, LOINC.highRisk)) return 'stu1-therapeutic';
  if (hasLoinc(code, LOINC.significance)) return 'stu1-diagnostic';
  if (geneticsExtensions(obs).size > 0) return 'genetics-extension';
  if (hasTbd(code, ...IGNORED_TBD) || hasLoinc(code, ...IGNORED_LOINC)) return 'ignored';
  if (records(get(obs, 'hasMember')).length > 0 && !Object.keys(obs).some((k) => k.startsWith('value'))) {
    return 'grouper';
  }
  return 'other';
}

/**
 * Genomic Observations that carry nothing Tailor's rules read (molecular consequences, allelic phase, tumour
 * mutational burden, microsatellite instability, regions studied): skipped without an issue.
 */
const IGNORED_TBD = ['molecular-consequence', 'region-studied', 'genomic-study'];
const IGNORED_LOINC = ['82120-7', '94076-7', '81695-9', '53041-0'];

const MAX_GROUP_DEPTH = 6;

/** Reports and groupers: which Observations they list, and withdrawn reports' results. */
function mapReports(ctx: ReadContext): Set<Entry> {
  const withdrawn = new Set<Entry>();
  const visitMembers = (owner: Entry, report: Entry, drop: boolean, depth: number): void => {
    const key = owner.type === 'DiagnosticReport' ? 'result' : 'hasMember';
    for (const ref of records(get(owner.resource, key))) {
      const found = resolve(ctx.pool, owner, ref);
      if (found === undefined || found.entry.type !== 'Observation' || found.entry === owner) continue;
      const member = found.entry;
      if (found.repaired)
        warn(ctx, owner, 'A reference matched a resource id only when case was ignored; it was followed.');
      if (!ctx.reportOf.has(member) && report.type === 'DiagnosticReport') ctx.reportOf.set(member, report);
      if (!ctx.groupOf.has(member))
        ctx.groupOf.set(member, owner.type === 'DiagnosticReport' ? report : owner);
      if (drop) withdrawn.add(member);
      if (depth < MAX_GROUP_DEPTH && records(get(member.resource, 'hasMember')).length > 0) {
        visitMembers(member, report, drop, depth + 1);
      }
    }
  };
  for (const entry of ctx.pool.entries) {
    if (entry.type !== 'DiagnosticReport') continue;
    const verdict = statusVerdict(get(entry.resource, 'status'));
    if (verdict === 'skip') {
      warn(
        ctx,
        entry,
        'Report status is not final, amended or corrected; its results are judged by their own status.',
      );
    }
    visitMembers(entry, entry, verdict === 'drop', 0);
  }
  // Groupers outside any report still group their members (haplotype pairing).
  for (const entry of ctx.pool.entries) {
    if (entry.type === 'Observation' && kindOf(entry.resource) === 'grouper' && !ctx.reportOf.has(entry)) {
      visitMembers(entry, entry, false, 0);
    }
  }
  return withdrawn;
}

function statusName(status: unknown): string {
  const s = getText({ s: status }, 's');
  return s !== undefined && /^[a-z-]{1,20}$/.test(s) ? s : 'missing or unknown';
}

function triage(ctx: ReadContext, withdrawn: Set<Entry>): void {
  for (const entry of ctx.pool.entries) {
    if (entry.type !== 'Observation') continue;
    const kind = kindOf(entry.resource);
    ctx.kinds.set(entry, kind);
    const relevant = kind !== 'ignored' && (kind !== 'other' || looksGenomic(entry.resource));
    const status = get(entry.resource, 'status');
    const verdict = statusVerdict(status);
    if (verdict === 'drop') continue;
    if (withdrawn.has(entry)) {
      if (relevant) warn(ctx, entry, 'Result of a report that was entered in error or cancelled; not used.');
      continue;
    }
    if (verdict === 'skip') {
      if (relevant)
        warn(
          ctx,
          entry,
          `Observation status ${statusName(status)}: not final, amended or corrected; not used.`,
        );
      continue;
    }
    ctx.usable.add(entry);
  }
}

/** Who a resource is about: the resolved Patient, else the reference's Type/id, else its identifier. */
function subjectKey(ctx: ReadContext, entry: Entry): string | undefined {
  const subject = get(entry.resource, 'subject');
  const found = resolve(ctx.pool, entry, subject);
  if (found !== undefined) return `${found.entry.type}/${found.entry.id ?? `#${found.entry.order}`}`;
  const reference = getText(subject, 'reference');
  if (reference !== undefined) return /([A-Za-z]+\/[^/]+)$/.exec(reference)?.[1] ?? reference;
  const identifier = get(subject, 'identifier');
  const value = getText(identifier, 'value');
  return value !== undefined ? `identifier:${getText(identifier, 'system') ?? ''}|${value}` : undefined;
}

/** Findings about two patients must never be mixed silently. */
function checkOnePatient(ctx: ReadContext): void {
  const subjects = new Set<string>();
  for (const entry of ctx.pool.entries) {
    if (!['Observation', 'DiagnosticReport', 'Condition'].includes(entry.type)) continue;
    const key = subjectKey(ctx, entry);
    if (key !== undefined) subjects.add(key);
  }
  if (subjects.size > 1) {
    ctx.issues.push({
      severity: 'error',
      message: 'The resources are about more than one patient; findings may mix patients.',
    });
  }
}

function observations(ctx: ReadContext, ...kinds: ObservationKind[]): Entry[] {
  return ctx.pool.entries.filter((e) => ctx.usable.has(e) && kinds.includes(ctx.kinds.get(e) ?? 'other'));
}

/** Guards one resource: an unexpected failure costs that resource, not the whole read. */
function guarded(ctx: ReadContext, entry: Entry, read: () => void): void {
  try {
    read();
  } catch {
    ctx.issues.push({
      severity: 'error',
      message: 'Resource could not be read (internal reader error).',
      resource: entry.label,
    });
  }
}

function read(input: unknown, issues: ReaderIssue[]): RawFindings {
  const pool = collect(input, issues);
  const ctx = newContext(pool, issues);
  checkOnePatient(ctx);
  const withdrawn = mapReports(ctx);
  triage(ctx, withdrawn);

  for (const e of observations(ctx, 'variant')) guarded(ctx, e, () => readVariant(ctx, e, baseShape(ctx, e)));
  for (const e of observations(ctx, 'genetics-extension')) {
    if (extensionsDescribeVariant(e.resource))
      guarded(ctx, e, () => readVariant(ctx, e, 'genetics-extension'));
  }
  for (const e of observations(ctx, 'genotype')) guarded(ctx, e, () => readGenotype(ctx, e));
  const loose = observations(ctx, 'haplotype').filter((e) => !ctx.consumed.has(e));
  try {
    readLooseHaplotypes(ctx, loose);
  } catch {
    issues.push({ severity: 'error', message: 'Haplotypes could not be read (internal reader error).' });
  }
  const pending: Entry[] = [];
  for (const e of observations(ctx, 'genetics-extension', 'other')) {
    if (ctx.kinds.get(e) === 'genetics-extension' && extensionsDescribeVariant(e.resource)) continue;
    const shape = ctx.kinds.get(e) === 'genetics-extension' ? 'genetics-extension' : 'text';
    guarded(ctx, e, () => {
      if (!readTextGenotype(ctx, e, shape)) pending.push(e);
    });
  }
  for (const e of observations(ctx, 'therapeutic')) guarded(ctx, e, () => readTherapeutic(ctx, e, false));
  for (const e of observations(ctx, 'stu1-therapeutic')) guarded(ctx, e, () => readTherapeutic(ctx, e, true));
  for (const e of pending) {
    const shape = ctx.kinds.get(e) === 'genetics-extension' ? 'genetics-extension' : 'text';
    guarded(ctx, e, () => {
      if (!readTextPhenotype(ctx, e, shape) && (shape === 'genetics-extension' || looksGenomic(e.resource))) {
        warn(ctx, e, 'Genomic-looking Observation not understood; not used.');
      }
    });
  }
  for (const e of observations(ctx, 'diagnostic')) guarded(ctx, e, () => readDiagnostic(ctx, e, false));
  for (const e of observations(ctx, 'stu1-diagnostic')) guarded(ctx, e, () => readDiagnostic(ctx, e, true));
  for (const e of pool.entries) if (e.type === 'Condition') guarded(ctx, e, () => readCondition(ctx, e));

  finishCalls(ctx);
  return { calls: ctx.calls, variants: ctx.variants, conditions: mergeConditions(ctx), issues };
}

/** Several statements of one diagnosis (e.g. one per ClinVar submission) become one finding with all sources. */
function mergeConditions(ctx: ReadContext): RawFindings['conditions'] {
  const merged = new Map<string, RawFindings['conditions'][number]>();
  for (const c of ctx.conditions) {
    const codes = c.codes
      .filter((k) => k.code !== undefined)
      .map((k) => `${k.system ?? ''}|${k.code}`)
      .sort()
      .join(',');
    const key = `${codes || (c.text ?? '').toLowerCase()}#${c.verification}#${c.clinical}#${c.origin}`;
    const existing = merged.get(key);
    if (existing === undefined) {
      merged.set(key, c);
      continue;
    }
    // Statements of one diagnosis may abbreviate its name; keep the fullest.
    if (c.text !== undefined && (existing.text === undefined || c.text.length > existing.text.length)) {
      existing.text = c.text;
    }
    for (const s of c.sources) {
      if (
        !existing.sources.some(
          (x) => x.resourceType === s.resourceType && x.id === s.id && s.id !== undefined,
        )
      ) {
        existing.sources.push(s);
      }
    }
  }
  return [...merged.values()];
}

/**
 * Reads genomic findings from a FHIR Bundle (any type, nested, or Genomics Operations Parameters), a CDS Hooks
 * prefetch map, or an array of resources. Never throws.
 */
export function readFindings(input: unknown): RawFindings {
  const issues: ReaderIssue[] = [];
  try {
    return read(input, issues);
  } catch {
    issues.push({
      severity: 'error',
      message: 'The genomic findings could not be read (internal reader error).',
    });
    return { calls: [], variants: [], conditions: [], issues };
  }
}
