import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { type Item, PK, SK } from './attributes';

/** BatchWriteItem takes at most 25 put or delete requests per call. */
export const MAX_BATCH_ITEMS = 25;

export interface BatchRetryLimits {
  /** Calls per chunk, the first included; the later ones send only what the service left unprocessed. */
  attempts: number;
  /** Backoff before the first retry; it doubles for each retry after that. */
  baseDelayMs: number;
  /** No retry starts later than this after the first call (the calls themselves are bounded by the client). */
  maxTotalMs: number;
}

/**
 * Unprocessed items mean the service is throttling: a few quick retries, well under a second in all, then
 * give up (the audit write must not outlive a Lambda invocation by much).
 */
export const BATCH_RETRY: BatchRetryLimits = { attempts: 5, baseDelayMs: 25, maxTotalMs: 1000 };

/** Items the service still left unprocessed after the last attempt. */
export class UnprocessedItemsError extends Error {
  override name = 'UnprocessedItemsError';
  constructor(
    readonly unprocessed: number,
    readonly total: number,
    attempts: number,
  ) {
    super(`${unprocessed} of ${total} items unprocessed after ${attempts} attempts`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The items keyed by pk and sk, the last one of a key kept: BatchWriteItem rejects a call that holds one key
 * twice, and separate PutItems of one key would leave the last as well.
 */
export function uniqueByKey(items: readonly Item[]): Item[] {
  const byKey = new Map<string, Item>();
  for (const item of items) byKey.set(JSON.stringify([item[PK], item[SK]]), item);
  return [...byKey.values()];
}

/**
 * Puts every item (unconditionally) with BatchWriteItem: chunks of 25 sent at once, each chunk's
 * UnprocessedItems sent again after an exponential backoff with jitter. Rejects with UnprocessedItemsError
 * when items remain after the attempts (the other chunks are still written), or with the SDK's error when a
 * call fails.
 */
export async function batchPut(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Item[],
): Promise<void> {
  const limits = BATCH_RETRY;
  const unique = uniqueByKey(items);
  const chunks: WriteRequest[][] = [];
  for (let start = 0; start < unique.length; start += MAX_BATCH_ITEMS)
    chunks.push(unique.slice(start, start + MAX_BATCH_ITEMS).map((Item) => ({ PutRequest: { Item } })));
  const started = performance.now();

  /** The chunk's items left unprocessed and the calls made. */
  const writeChunk = async (chunk: WriteRequest[]): Promise<[left: number, attempts: number]> => {
    let pending = chunk;
    for (let attempt = 1; ; attempt++) {
      const { UnprocessedItems } = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
      );
      pending = UnprocessedItems?.[tableName] ?? [];
      if (pending.length === 0) return [0, attempt];
      if (attempt >= limits.attempts) return [pending.length, attempt];
      // Half the doubled delay fixed, half random: spreads the retries of many writers apart.
      const delay = limits.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      if (performance.now() - started + delay > limits.maxTotalMs) return [pending.length, attempt];
      await sleep(delay);
    }
  };

  // The chunks at once (a record rarely needs two); a chunk with leftovers does not stop the others.
  const results = await Promise.all(chunks.map(writeChunk));
  const left = results.reduce((sum, [count]) => sum + count, 0);
  const attempts = Math.max(0, ...results.map(([, count]) => count));
  if (left > 0) throw new UnprocessedItemsError(left, unique.length, attempts);
}
