import { createHash } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ReplayCache } from '../auth/replay-cache';
import { EXPIRES_AT, n, PK, SK, s } from './attributes';
import { isConditionFailed, storeUnavailable } from './errors';

export interface DynamoReplayCacheOptions {
  client: DynamoDBClient;
  /** The audit table (its TTL removes claims some time after they expire). */
  tableName: string;
  now?: () => Date;
}

/** Key attributes are limited to 2 KB; a longer key is stored as its sha256. */
export function replayItemKey(key: string): string {
  return Buffer.byteLength(key, 'utf8') > 1000
    ? `sha256:${createHash('sha256').update(key).digest('hex')}`
    : key;
}

/**
 * The JWT replay cache shared by every instance: `claim` is true exactly once per key
 * until the claim expires. `expiresAt` is epoch seconds, like a JWT's `exp` and DynamoDB's TTL. TTL deletes
 * late (up to days), so an item whose expiresAt has passed counts as free and may be claimed again.
 */
export class DynamoReplayCache implements ReplayCache {
  private readonly now: () => Date;

  constructor(private readonly options: DynamoReplayCacheOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            [PK]: s(`JTI#${replayItemKey(key)}`),
            [SK]: s('JTI'),
            [EXPIRES_AT]: n(Math.floor(expiresAt)),
          },
          ConditionExpression: `attribute_not_exists(${PK}) OR #expiresAt < :now`,
          ExpressionAttributeNames: { '#expiresAt': EXPIRES_AT },
          ExpressionAttributeValues: { ':now': n(Math.floor(this.now().getTime() / 1000)) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw storeUnavailable('replay cache', 'claim', error);
    }
  }
}
