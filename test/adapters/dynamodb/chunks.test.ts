import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CHUNK_BYTES, splitUtf8 } from '../../../functions/adapters/dynamodb/chunks';

describe('splitUtf8', () => {
  it('keeps a text that fits whole, the empty text included', () => {
    expect(splitUtf8('')).toEqual(['']);
    expect(splitUtf8('abcd', 4)).toEqual(['abcd']);
  });

  it('cuts on character boundaries, every piece within the limit, and joins back to the text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 4, max: 40 }),
        (text, max) => {
          const pieces = splitUtf8(text, max);
          expect(pieces.join('')).toBe(text);
          for (const piece of pieces) {
            expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(max);
            expect(piece).not.toMatch(/\uFFFD/);
          }
        },
      ),
    );
  });

  it('splits a 900 KB text into items DynamoDB accepts (400 KB each at most)', () => {
    const text = 'æ🧬x'.repeat(130_000);

    const pieces = splitUtf8(text);

    expect(pieces).toHaveLength(3);
    expect(Math.max(...pieces.map((piece) => Buffer.byteLength(piece)))).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
    expect(MAX_CHUNK_BYTES).toBeLessThan(400 * 1024 - 10 * 1024);
  });

  it('needs room for one character', () => {
    expect(() => splitUtf8('abc', 3)).toThrow(RangeError);
  });
});
