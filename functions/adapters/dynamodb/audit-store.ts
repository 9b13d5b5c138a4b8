import { type DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AuditRecord, AuditStore, FeedbackRecord, FeedbackStore } from '../../core/ports';
import type { ShownCard } from '../../core/ruleset/stats';
import { EXPIRES_AT, fromItem, type Item, n, PK, SK, s, str, toItem } from './attributes';
import { batchPut } from './batch-write';
import { isConditionFailed, storeUnavailable } from './errors';

/*
 * Layout of the audit table (generic pk/sk strings; every item has `expiresAt`, epoch seconds, when a
 * retention is configured):
 *
 *   pk                    sk                                    what
 *   PATIENT#<patientKey>  AUDIT#<at>#<hookInstance>             one evaluation (the AuditRecord's fields)
 *   CARD#<uuid>           CARD                                  the card's rule: ruleId, ruleVersion, service
 *   CARD#<uuid>           FEEDBACK#<outcome>#<outcomeTimestamp>  one feedback (the FeedbackRecord's fields)
 *   JTI#<key>             JTI                                   a claimed JWT id (see replay-cache.ts)
 *
 * A patient's evaluations are one partition in time order (pseudonymous key); a card's feedback sits beside
 * the card it answers.
 */
const DAY_SECONDS = 86_400;

export interface DynamoAuditOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Days an audit record, card or feedback item is kept (DynamoDB TTL); null keeps them forever. */
  retentionDays: number | null;
  /** Only for a record whose own time does not parse. */
  now?: () => Date;
}

/** Expiry counted from the record's own time, so the same record always gets the same expiresAt. */
function expiry(options: DynamoAuditOptions, at: string): Item {
  if (options.retentionDays === null) return {};
  const parsed = Date.parse(at);
  const from = Number.isNaN(parsed) ? (options.now ?? (() => new Date()))().getTime() : parsed;
  return { [EXPIRES_AT]: n(Math.floor(from / 1000) + Math.round(options.retentionDays * DAY_SECONDS)) };
}

const cardKey = (uuid: string): Item => ({ [PK]: s(`CARD#${uuid}`), [SK]: s('CARD') });

export class DynamoAuditStore implements AuditStore {
  constructor(private readonly options: DynamoAuditOptions) {}

  async record(entry: AuditRecord): Promise<void> {
    const { client, tableName } = this.options;
    const expiresAt = expiry(this.options, entry.at);
    const items: Item[] = [
      {
        ...toItem({ ...entry }),
        [PK]: s(`PATIENT#${entry.patientKey}`),
        [SK]: s(`AUDIT#${entry.at}#${entry.hookInstance}`),
        ...expiresAt,
      },
      ...entry.cards.map(
        (card): Item => ({
          ...cardKey(card.uuid),
          ruleId: s(card.ruleId),
          ruleVersion: s(card.ruleVersion),
          action: s(card.action),
          service: s(entry.service),
          hookInstance: s(entry.hookInstance),
          ruleSetVersion: s(entry.ruleSetVersion),
          at: s(entry.at),
          ...expiresAt,
        }),
      ),
    ];
    try {
      // One BatchWriteItem call for up to 25 items (the SDK's per-call cost dominates these small writes).
      // Unconditional puts: a retry of the same record rewrites the same keys with the same expiresAt. Card
      // uuids are unique per evaluation; batchPut keeps the last item of a repeated key all the same.
      await batchPut(client, tableName, items);
    } catch (error) {
      throw storeUnavailable('audit store', 'record', error);
    }
  }

  async findCard(
    uuid: string,
  ): Promise<{ ruleId: string; ruleVersion: string; service: string } | undefined> {
    let item: Item | undefined;
    try {
      ({ Item: item } = await this.options.client.send(
        new GetItemCommand({ TableName: this.options.tableName, Key: cardKey(uuid), ConsistentRead: true }),
      ));
    } catch (error) {
      throw storeUnavailable('audit store', 'findCard', error);
    }
    const ruleId = str(item, 'ruleId');
    const ruleVersion = str(item, 'ruleVersion');
    const service = str(item, 'service');
    return ruleId !== undefined && ruleVersion !== undefined && service !== undefined
      ? { ruleId, ruleVersion, service }
      : undefined;
  }

  /**
   * Every card the service showed (for `tailor rules stats`): a Scan of the table, read by operators, never
   * on a request path. `since` (ISO time) filters on the card's time.
   */
  async listCards(options: { since?: string } = {}): Promise<ShownCard[]> {
    const items = await scanAll(this.options, 'listCards', {
      FilterExpression: `begins_with(#pk, :card) AND #sk = :cardSk${options.since ? ' AND #at >= :since' : ''}`,
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK, ...(options.since ? { '#at': 'at' } : {}) },
      ExpressionAttributeValues: {
        ':card': s('CARD#'),
        ':cardSk': s('CARD'),
        ...(options.since ? { ':since': s(options.since) } : {}),
      },
    });
    const cards: ShownCard[] = [];
    for (const item of items) {
      const card = {
        uuid: str(item, PK)?.slice('CARD#'.length),
        ruleId: str(item, 'ruleId'),
        ruleVersion: str(item, 'ruleVersion'),
        action: str(item, 'action'),
        service: str(item, 'service'),
        ruleSetVersion: str(item, 'ruleSetVersion'),
        at: str(item, 'at'),
      };
      if (Object.values(card).every((value) => value !== undefined)) cards.push(card as ShownCard);
    }
    return cards;
  }
}

/** Every item a filtered Scan finds, page by page. */
async function scanAll(
  options: DynamoAuditOptions,
  operation: string,
  filter: Pick<
    ConstructorParameters<typeof ScanCommand>[0],
    'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  try {
    do {
      const page = await options.client.send(
        new ScanCommand({
          TableName: options.tableName,
          ...filter,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } catch (error) {
    throw storeUnavailable('audit store', operation, error);
  }
  return items;
}

export class DynamoFeedbackStore implements FeedbackStore {
  constructor(private readonly options: DynamoAuditOptions) {}

  async put(entry: FeedbackRecord): Promise<'stored' | 'duplicate'> {
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...toItem({ ...entry }),
            [PK]: s(`CARD#${entry.card}`),
            [SK]: s(`FEEDBACK#${entry.outcome}#${entry.outcomeTimestamp}`),
            ...expiry(this.options, entry.receivedAt),
          },
          ConditionExpression: `attribute_not_exists(${PK})`,
        }),
      );
      return 'stored';
    } catch (error) {
      if (isConditionFailed(error)) return 'duplicate';
      throw storeUnavailable('feedback store', 'put', error);
    }
  }

  /** Every feedback record (for `tailor rules stats`): a Scan, read by operators, never on a request path. */
  async listFeedback(): Promise<FeedbackRecord[]> {
    const items = await scanAll(this.options, 'listFeedback', {
      FilterExpression: 'begins_with(#pk, :card) AND begins_with(#sk, :feedback)',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':card': s('CARD#'), ':feedback': s('FEEDBACK#') },
    });
    return items.map((item) => {
      const { [PK]: _pk, [SK]: _sk, [EXPIRES_AT]: _expires, ...record } = fromItem(item);
      return record as unknown as FeedbackRecord;
    });
  }
}
