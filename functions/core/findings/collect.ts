/**
 * Flattens whatever the caller passed (a Bundle of any type, nested Bundles, Genomics Operations `Parameters`,
 * a CDS Hooks prefetch map, an array of resources) into one pool of resources, and resolves references between
 * them (fullUrl, `urn:uuid:`, `Type/id`, absolute URLs, `#contained`).
 */
import type { ReaderIssue } from '../model';
import { fingerprint, get, getRecords, getText, isRecord, type Json, records, text } from './json';

export interface Entry {
  resource: Json;
  type: string;
  id?: string;
  fullUrl?: string;
  /** Set on contained resources: the resource that contains them. */
  container?: Entry;
  contained: Map<string, Entry>;
  /** Position in the input, for stable output order. */
  order: number;
  /** How issues name it: "Observation/abc", or its fullUrl, never values. */
  label: string;
}

export interface Pool {
  entries: Entry[];
  byFullUrl: Map<string, Entry>;
  byTypeId: Map<string, Entry>;
  byTypeIdLower: Map<string, Entry[]>;
}

/** Generous bounds; beyond them the input is not a clinical record and the rest is reported, not read. */
const MAX_DEPTH = 24;
const MAX_RESOURCES = 20_000;
const MAX_NODES = 500_000;

const SAFE_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function labelOf(type: string, id: string | undefined, fullUrl: string | undefined): string {
  const safeType = /^[A-Za-z]{1,64}$/.test(type) ? type : 'Resource';
  if (id !== undefined && SAFE_ID.test(id)) return `${safeType}/${id}`;
  if (fullUrl !== undefined && /^urn:uuid:[0-9a-fA-F-]{36}$/.test(fullUrl)) return `${safeType} ${fullUrl}`;
  return `${safeType} (no id)`;
}

export function collect(input: unknown, issues: ReaderIssue[]): Pool {
  const pool: Pool = { entries: [], byFullUrl: new Map(), byTypeId: new Map(), byTypeIdLower: new Map() };
  const fingerprints = new Map<Entry, string>();
  const seen = new WeakSet<object>();
  let nodes = 0;
  let overflow = false;
  let tooDeep = false;

  const add = (
    resource: Json,
    type: string,
    fullUrl: string | undefined,
    container?: Entry,
  ): Entry | undefined => {
    if (pool.entries.length >= MAX_RESOURCES) {
      overflow = true;
      return undefined;
    }
    const id = getText(resource, 'id');
    const entry: Entry = {
      resource,
      type,
      contained: new Map(),
      order: pool.entries.length,
      label: labelOf(type, id, fullUrl),
    };
    if (id !== undefined) entry.id = id;
    if (fullUrl !== undefined) entry.fullUrl = fullUrl;
    if (container !== undefined) {
      entry.container = container;
      if (id !== undefined && !container.contained.has(id)) container.contained.set(id, entry);
      pool.entries.push(entry);
      return entry;
    }
    if (id !== undefined) {
      const key = `${type}/${id}`;
      const existing = pool.byTypeId.get(key);
      if (existing !== undefined) {
        let first = fingerprints.get(existing);
        if (first === undefined) {
          first = fingerprint(existing.resource);
          fingerprints.set(existing, first);
        }
        if (first !== fingerprint(resource)) {
          issues.push({
            severity: 'warning',
            message: 'The same resource id came twice with different content; the first copy was used.',
            resource: existing.label,
          });
        }
        return undefined;
      }
      pool.byTypeId.set(key, entry);
      const lower = key.toLowerCase();
      pool.byTypeIdLower.set(lower, [...(pool.byTypeIdLower.get(lower) ?? []), entry]);
    }
    if (fullUrl !== undefined && !pool.byFullUrl.has(fullUrl)) pool.byFullUrl.set(fullUrl, entry);
    pool.entries.push(entry);
    for (const inner of getRecords(resource, 'contained')) {
      const innerType = getText(inner, 'resourceType');
      if (innerType !== undefined) add(inner, innerType, undefined, entry);
    }
    return entry;
  };

  const visitParameters = (parameters: unknown, depth: number): void => {
    for (const p of records(parameters)) {
      if (++nodes > MAX_NODES) return;
      const resource = get(p, 'resource');
      if (resource !== undefined) visit(resource, depth + 1, undefined);
      // Operation outputs such as `presence: false` are answers to a query, not results: not read.
      visitParameters(get(p, 'part'), depth + 1);
    }
  };

  const visit = (value: unknown, depth: number, fullUrl: string | undefined): void => {
    if (++nodes > MAX_NODES) return;
    if (depth > MAX_DEPTH) {
      tooDeep = true;
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1, undefined);
      return;
    }
    if (!isRecord(value)) return;
    if (seen.has(value)) return;
    seen.add(value);
    const type = getText(value, 'resourceType');
    if (type === undefined) {
      // A prefetch map (key → Bundle | resource | null) or a request wrapper around one.
      for (const key of Object.keys(value)) {
        const inner = value[key];
        if (typeof inner === 'object' && inner !== null) visit(inner, depth + 1, undefined);
      }
      return;
    }
    switch (type) {
      case 'Bundle':
        for (const e of getRecords(value, 'entry')) {
          if (++nodes > MAX_NODES) return;
          const resource = get(e, 'resource');
          if (resource !== undefined) visit(resource, depth + 1, text(get(e, 'fullUrl')));
        }
        return;
      case 'Parameters':
        visitParameters(get(value, 'parameter'), depth);
        return;
      case 'OperationOutcome':
        if (
          getRecords(value, 'issue').some((i) => ['error', 'fatal'].includes(getText(i, 'severity') ?? ''))
        ) {
          issues.push({
            severity: 'warning',
            message: 'A source returned an error (OperationOutcome): some results may be missing.',
          });
        }
        return;
      default:
        add(value, type, fullUrl);
    }
  };

  visit(input, 0, undefined);
  if (overflow) issues.push({ severity: 'error', message: 'Too many resources: the rest were not read.' });
  if (tooDeep)
    issues.push({ severity: 'warning', message: 'Input nested too deeply: the deepest part was not read.' });
  if (nodes > MAX_NODES)
    issues.push({ severity: 'error', message: 'Input too large: the rest was not read.' });
  return pool;
}

export interface Resolved {
  entry: Entry;
  /** Found only by ignoring case in the id (an IG example defect). */
  repaired: boolean;
}

/** Resolves a Reference from `from`. Identifier-only references do not resolve. */
export function resolve(pool: Pool, from: Entry, ref: unknown): Resolved | undefined {
  const reference = getText(ref, 'reference');
  if (reference === undefined) return undefined;
  if (reference.startsWith('#')) {
    const container = from.container ?? from;
    const id = reference.slice(1);
    if (id === '') return { entry: container, repaired: false };
    const found = container.contained.get(id);
    return found !== undefined ? { entry: found, repaired: false } : undefined;
  }
  const exact = pool.byFullUrl.get(reference);
  if (exact !== undefined) return { entry: exact, repaired: false };
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  if (!m) return undefined;
  const key = `${m[1]}/${m[2]}`;
  const byId = pool.byTypeId.get(key);
  if (byId !== undefined) return { entry: byId, repaired: false };
  const loose = pool.byTypeIdLower.get(key.toLowerCase());
  if (loose !== undefined && loose.length === 1) return { entry: loose[0]!, repaired: true };
  return undefined;
}
