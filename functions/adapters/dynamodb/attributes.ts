import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** A DynamoDB item as the low-level client reads and writes it. */
export type Item = Record<string, AttributeValue>;

/** Key attribute names shared by both tables (generic keys: one table holds several item kinds). */
export const PK = 'pk';
export const SK = 'sk';
/** Epoch seconds; DynamoDB's TTL deletes the item some time after it passes. */
export const EXPIRES_AT = 'expiresAt';

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });

/** A plain JSON value (what JSON.parse returns) as an attribute value: the audit and feedback records. */
export function toAttribute(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('toAttribute: a non-finite number');
      return { N: String(value) };
    case 'boolean':
      return { BOOL: value };
    case 'object':
      if (Array.isArray(value)) return { L: value.map(toAttribute) };
      return { M: toItem(value as Record<string, unknown>) };
    default:
      throw new TypeError(`toAttribute: ${typeof value} is not JSON`);
  }
}

/** Object members that are undefined are left out (as in JSON), so optional fields stay optional. */
export function toItem(value: Record<string, unknown>): Item {
  const item: Item = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined) item[key] = toAttribute(member);
  }
  return item;
}

export function fromAttribute(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(fromAttribute);
  if (value.M !== undefined) return fromItem(value.M);
  throw new TypeError('fromAttribute: an attribute type this store never writes');
}

export function fromItem(item: Item): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(item)) value[key] = fromAttribute(member);
  return value;
}

/** A string attribute, or undefined when absent or of another type. */
export function str(item: Item | undefined, name: string): string | undefined {
  return item?.[name]?.S;
}

/** A number attribute, or undefined when absent, of another type or not a number. */
export function num(item: Item | undefined, name: string): number | undefined {
  const text = item?.[name]?.N;
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
