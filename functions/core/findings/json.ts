/**
 * Defensive readers for untrusted JSON. Everything the FHIR reader sees goes through these, so no input can make
 * it throw: values are only ever inspected with typeof/Array.isArray and never coerced to strings.
 */

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own property only: inherited names such as `constructor` or `toString` must not read as FHIR elements. */
export function get(value: unknown, key: string): unknown {
  if (!isRecord(value)) return undefined;
  return Object.hasOwn(value, key) ? value[key] : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A trimmed, non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function getText(value: unknown, key: string): string | undefined {
  return text(get(value, key));
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function records(value: unknown): Json[] {
  return arr(value).filter(isRecord);
}

export function getRecords(value: unknown, key: string): Json[] {
  return records(get(value, key));
}

export function getRecord(value: unknown, key: string): Json | undefined {
  const found = get(value, key);
  return isRecord(found) ? found : undefined;
}

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

/** The codings of a CodeableConcept (or of a bare Coding), with only string fields kept. */
export function codings(concept: unknown): Coding[] {
  if (!isRecord(concept)) return [];
  const list = Object.hasOwn(concept, 'coding') ? records(concept.coding) : [concept];
  const out: Coding[] = [];
  for (const c of list) {
    const coding: Coding = {};
    const system = getText(c, 'system');
    const code = getText(c, 'code');
    const display = getText(c, 'display');
    if (system !== undefined) coding.system = system;
    if (code !== undefined) coding.code = code;
    if (display !== undefined) coding.display = display;
    if (code !== undefined || display !== undefined) out.push(coding);
  }
  return out;
}

/** Every human-readable string of a CodeableConcept: text first, then displays, then codes. */
export function conceptTexts(concept: unknown): string[] {
  const out: string[] = [];
  const t = getText(concept, 'text');
  if (t !== undefined) out.push(t);
  for (const c of codings(concept)) if (c.display !== undefined) out.push(c.display);
  for (const c of codings(concept)) if (c.code !== undefined) out.push(c.code);
  return out;
}

/** A stable string for equality checks that never throws (bigints, cycles and odd objects included). */
export function fingerprint(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): string {
  if (depth > 64) return '…';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value.toString()}n`;
    case 'undefined':
      return 'u';
    case 'object': {
      if (value === null) return 'null';
      if (seen.has(value)) return '↻';
      seen.add(value);
      let result: string;
      if (Array.isArray(value)) {
        result = `[${value.map((v) => fingerprint(v, depth + 1, seen)).join(',')}]`;
      } else {
        const keys = Object.keys(value).sort();
        const rec = value as Json;
        result = `{${keys.map((k) => `${JSON.stringify(k)}:${fingerprint(rec[k], depth + 1, seen)}`).join(',')}}`;
      }
      seen.delete(value);
      return result;
    }
    default:
      return typeof value;
  }
}
