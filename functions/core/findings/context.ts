/** State shared by the shape readers while one input is read. */
import type { ConditionFinding, GeneCall, ReaderIssue, VariantFinding } from '../model';
import type { Entry, Pool } from './collect';

export type ObservationKind =
  | 'variant'
  | 'genotype'
  | 'haplotype'
  | 'therapeutic'
  | 'diagnostic'
  | 'stu1-therapeutic'
  | 'stu1-diagnostic'
  | 'genetics-extension'
  | 'grouper'
  | 'ignored'
  | 'other';

export interface CallState {
  phenotypes: string[];
  scores: string[];
  notes: string[];
  /** The Observation the call was opened for, to name in issues. */
  entry: Entry;
}

export interface ReadContext {
  pool: Pool;
  issues: ReaderIssue[];
  calls: GeneCall[];
  variants: VariantFinding[];
  conditions: ConditionFinding[];
  /** Observations that count (status final / amended / corrected, report not withdrawn). */
  usable: Set<Entry>;
  kinds: Map<Entry, ObservationKind>;
  /** The DiagnosticReport that lists an Observation (directly or through a grouper). */
  reportOf: Map<Entry, Entry>;
  /** The nearest grouping (report or grouper Observation) of an Observation. */
  groupOf: Map<Entry, Entry>;
  /** Which call an Observation was read into (genotype, its haplotypes, its implications). */
  callOf: Map<Entry, GeneCall>;
  variantOf: Map<Entry, VariantFinding>;
  /** Observations already read as part of another one. */
  consumed: Set<Entry>;
  /** What is collected for a call before it is written out (see calls.ts). */
  callState: Map<GeneCall, CallState>;
  /** Calls by "report order|gene", to join the pieces of one report's result. */
  callsByReport: Map<string, GeneCall[]>;
}

export function newContext(pool: Pool, issues: ReaderIssue[]): ReadContext {
  return {
    pool,
    issues,
    calls: [],
    variants: [],
    conditions: [],
    usable: new Set(),
    kinds: new Map(),
    reportOf: new Map(),
    groupOf: new Map(),
    callOf: new Map(),
    variantOf: new Map(),
    consumed: new Set(),
    callState: new Map(),
    callsByReport: new Map(),
  };
}

/** Records an issue about a resource. Messages name the problem only, never a value from the record. */
export function warn(ctx: ReadContext, entry: Entry | undefined, message: string): void {
  ctx.issues.push(
    entry ? { severity: 'warning', message, resource: entry.label } : { severity: 'warning', message },
  );
}

export function fail(ctx: ReadContext, entry: Entry | undefined, message: string): void {
  ctx.issues.push(
    entry ? { severity: 'error', message, resource: entry.label } : { severity: 'error', message },
  );
}
