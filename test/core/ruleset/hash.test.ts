import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleSetFile } from '../../../functions/core/ports';
import { canonicalJson, canonicalParsedJson, contentHash } from '../../../functions/core/ruleset/hash';

/** Re-creates an object with its keys in reverse order (same meaning, different text). */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, member]) => [key, reorder(member)]),
    );
  }
  return value;
}

const files: RuleSetFile[] = [
  { path: 'a.json', text: '{"b":1,"a":[true,null,"x"]}' },
  { path: 'notes.md', text: '# hi\n' },
];

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('follows JSON.stringify for what JSON cannot carry', () => {
    expect(canonicalJson({ a: undefined, b: () => 1, c: Number.NaN, d: [undefined, Infinity] })).toBe(
      '{"c":null,"d":[null,null]}',
    );
    expect(canonicalJson({ at: new Date('2025-03-01T10:00:00.000Z') })).toBe(
      '{"at":"2025-03-01T10:00:00.000Z"}',
    );
    expect(() => canonicalJson(10n)).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('parses back to the same value, whatever the key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(reorder(value))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('contentHash', () => {
  it('is sha256 over the canonical file list (pinned: a change here changes every stored hash)', () => {
    expect(contentHash(files)).toBe('31c2b0d0dfe6584df6aaebbf270a1c67f3a71714c387f91acf9c1f2e3c061e3e');
    expect(contentHash([])).toBe('4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945');
  });

  it('ignores file order, JSON formatting and key order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ path: fc.string({ minLength: 1 }), value: fc.jsonValue() }), {
          selector: (file) => file.path,
          maxLength: 6,
        }),
        (entries) => {
          const compact = entries.map((entry) => ({ path: entry.path, text: JSON.stringify(entry.value) }));
          const pretty = entries
            .map((entry) => ({
              path: entry.path,
              text: `${JSON.stringify(reorder(entry.value), null, 2)}\n`,
            }))
            .reverse();
          expect(contentHash(pretty)).toBe(contentHash(compact));
        },
      ),
    );
  });

  it('changes when a value, a path or a non-JSON text changes', () => {
    const base = contentHash(files);

    expect(contentHash([{ ...files[0]!, text: '{"b":2,"a":[true,null,"x"]}' }, files[1]!])).not.toBe(base);
    expect(contentHash([{ ...files[0]!, path: 'b.json' }, files[1]!])).not.toBe(base);
    expect(contentHash([files[0]!, { ...files[1]!, text: '# hi \n' }])).not.toBe(base);
    expect(contentHash([files[0]!])).not.toBe(base);
  });

  it('tells a JSON file from a text file with the same characters elsewhere', () => {
    // "{}" is JSON; "{} x" is text: their canonical forms differ in kind, not only in content.
    expect(contentHash([{ path: 'a', text: '{}' }])).not.toBe(contentHash([{ path: 'a', text: '{} x' }]));
    expect(contentHash([{ path: 'a', text: '"x"' }])).not.toBe(contentHash([{ path: 'a', text: 'x' }]));
  });

  it('refuses duplicate paths and texts with no UTF-8 form', () => {
    expect(() => contentHash([files[0]!, { ...files[0]!, text: '{}' }])).toThrow(RangeError);
    expect(() => contentHash([{ path: 'a.md', text: 'broken \ud800 surrogate' }])).toThrow(RangeError);
    expect(() => contentHash([{ path: 'a.md', text: 'fine 🧬' }])).not.toThrow();
  });
});

describe('canonicalParsedJson', () => {
  it('writes what canonicalJson writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalParsedJson(value)).toBe(canonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the canonical order where an engine would not (index-like keys, __proto__)', () => {
    const value = JSON.parse('{"b":1,"10":2,"9":{"__proto__":3,"a":[{"2":1,"1":0}]},"a":4}');
    expect(canonicalParsedJson(value)).toBe(canonicalJson(value));
    expect(canonicalParsedJson(value)).toBe('{"10":2,"9":{"__proto__":3,"a":[{"1":0,"2":1}]},"a":4,"b":1}');
  });
});
