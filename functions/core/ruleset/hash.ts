import { createHash } from 'node:crypto';
import type { RuleSetFile } from '../ports';

/**
 * JSON with object keys sorted (by UTF-16 code units) and no whitespace, so that two texts with the same
 * meaning serialise identically. Follows JSON.stringify for what JSON cannot carry: `toJSON` is honoured,
 * undefined / functions / symbols are dropped from objects and become null in arrays, non-finite numbers
 * become null, a bigint throws.
 */
export function canonicalJson(value: unknown): string {
  const text = serialise(value);
  if (text === undefined) throw new TypeError(`canonicalJson: ${typeof value} has no JSON form`);
  return text;
}

function serialise(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a bigint has no JSON form');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      return serialiseObject(value);
  }
}

function serialiseObject(value: object): string | undefined {
  const { toJSON } = value as { toJSON?: unknown };
  if (typeof toJSON === 'function') return serialise((toJSON as () => unknown).call(value));
  if (Array.isArray(value)) return `[${value.map((item) => serialise(item) ?? 'null').join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = serialise(record[key]);
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * The content hash of a rule-set version: sha256 (hex) over the canonical form of its files. Files are taken
 * in path order; a file whose text parses as JSON contributes its canonical JSON (so formatting and key order
 * do not matter), any other file its exact text. The path is part of the hash. Duplicate paths have no
 * canonical order and are refused (RangeError), as are texts with lone surrogates (no UTF-8 form).
 */
export function contentHash(files: readonly RuleSetFile[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.path === sorted[i - 1]?.path) {
      throw new RangeError(`contentHash: duplicate path ${JSON.stringify(sorted[i]?.path)}`);
    }
  }
  for (const file of sorted) {
    // A lone surrogate has no UTF-8 form: two different texts would hash (and store) alike.
    if (/\p{Surrogate}/u.test(file.text)) {
      throw new RangeError(`contentHash: ${JSON.stringify(file.path)} is not well-formed Unicode`);
    }
  }
  // One JSON array frames every file unambiguously: no separator can be forged from inside a text.
  const canonical = sorted.map((file) => {
    const json = parseJson(file.text);
    return json.ok ? { path: file.path, json: json.value } : { path: file.path, text: file.text };
  });
  return createHash('sha256').update(canonicalParsedJson(canonical), 'utf8').digest('hex');
}

/** An array index as an object key: engines enumerate these first, in numeric order, whatever the insertion. */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * canonicalJson for plain JSON data (what JSON.parse gives, in plain objects and arrays), with the engine's
 * JSON.stringify doing the writing: several times faster on a whole rule set, which the service hashes at
 * cold start. Each object is copied with its keys in sorted order; where insertion order would not be kept
 * (index-like keys, `__proto__`) it falls back to canonicalJson. test/core/ruleset/hash.test.ts checks the two
 * agree.
 */
export function canonicalParsedJson(value: unknown): string {
  let fallback = false;
  const text = JSON.stringify(value, (_key, member: unknown) => {
    if (fallback || member === null || typeof member !== 'object' || Array.isArray(member)) return member;
    const keys = Object.keys(member).sort();
    const sorted: Record<string, unknown> = {};
    for (const key of keys) {
      if (key === '__proto__' || INDEX_KEY.test(key)) {
        fallback = true;
        return member;
      }
      sorted[key] = (member as Record<string, unknown>)[key];
    }
    return sorted;
  });
  return fallback || text === undefined ? canonicalJson(value) : text;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
