/** Building GeneCalls: one per lab result, with the pieces of that result (haplotypes, implications) inside. */
import type { GeneCall, Origin, SourceRef } from '../model';
import type { Entry } from './collect';
import { type ReadContext, warn } from './context';

export function openCall(
  ctx: ReadContext,
  entry: Entry,
  gene: string,
  origin: Origin,
  sources: SourceRef[],
): GeneCall {
  const call: GeneCall = { gene, origin, sources };
  ctx.callState.set(call, { phenotypes: [], scores: [], notes: [], entry });
  ctx.calls.push(call);
  if (!ctx.callOf.has(entry)) ctx.callOf.set(entry, call);
  const report = ctx.reportOf.get(entry);
  if (report !== undefined) {
    const key = `${report.order}|${gene}`;
    ctx.callsByReport.set(key, [...(ctx.callsByReport.get(key) ?? []), call]);
  }
  return call;
}

/** Calls of a gene opened from Observations of the same report as `entry`. */
export function sameReportCalls(ctx: ReadContext, entry: Entry, gene: string): GeneCall[] {
  const report = ctx.reportOf.get(entry);
  return report === undefined ? [] : (ctx.callsByReport.get(`${report.order}|${gene}`) ?? []);
}

export function addNote(ctx: ReadContext, call: GeneCall, note: string): void {
  const s = ctx.callState.get(call);
  if (s !== undefined && !s.notes.includes(note)) s.notes.push(note);
}

export function addPhenotype(ctx: ReadContext, call: GeneCall, phenotype: string): void {
  const s = ctx.callState.get(call);
  if (s !== undefined && !s.phenotypes.includes(phenotype)) s.phenotypes.push(phenotype);
}

export function addActivityScore(ctx: ReadContext, call: GeneCall, score: string): void {
  const s = ctx.callState.get(call);
  if (s !== undefined && !s.scores.includes(score)) s.scores.push(score);
}

export function markIndeterminate(ctx: ReadContext, call: GeneCall, note: string): void {
  call.indeterminate = true;
  addNote(ctx, call, note);
}

/** Writes the collected phenotypes and notes into each call; disagreeing phenotypes are kept as a note only. */
export function finishCalls(ctx: ReadContext): void {
  for (const call of ctx.calls) {
    const s = ctx.callState.get(call);
    if (s === undefined) continue;
    if (s.phenotypes.length === 1) call.reportedPhenotype = s.phenotypes[0]!;
    if (s.phenotypes.length > 1) {
      s.notes.push(`The lab reported different phenotypes for this result: ${s.phenotypes.join('; ')}.`);
      warn(
        ctx,
        s.entry,
        'Implications of one result report different phenotypes; none was taken as the phenotype.',
      );
    }
    if (s.scores.length === 1) call.reportedActivityScore = s.scores[0]!;
    if (s.scores.length > 1) {
      s.notes.push(`The lab reported different activity scores for this result: ${s.scores.join('; ')}.`);
      warn(ctx, s.entry, 'Implications of one result report different activity scores; none was taken.');
    }
    if (s.notes.length > 0) call.note = s.notes.join(' ');
    const seen = new Set<string>();
    call.sources = call.sources.filter((src) => {
      const key = `${src.resourceType}/${src.id ?? ''}/${src.shape}/${src.issued ?? ''}`;
      if (src.id !== undefined && seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
}
