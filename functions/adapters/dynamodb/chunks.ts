/**
 * DynamoDB items are at most 400 KB (names and values, UTF-8). File texts are split into chunks of at most
 * this many bytes, which leaves room for the keys and the other attributes of a file item.
 */
export const MAX_CHUNK_BYTES = 350_000;

/**
 * Splits a text into pieces of at most `maxBytes` UTF-8 bytes each, never inside a character, so that
 * `pieces.join('')` is the text again. The empty text is one empty piece.
 */
export function splitUtf8(text: string, maxBytes: number = MAX_CHUNK_BYTES): string[] {
  if (maxBytes < 4) throw new RangeError('splitUtf8: maxBytes must fit one character (4 bytes)');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length);
    // Back off over continuation bytes (10xxxxxx) so the cut falls on a character boundary.
    while (end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    pieces.push(bytes.toString('utf8', start, end));
    start = end;
  }
  return pieces;
}
