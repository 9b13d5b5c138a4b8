import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AuditRecord, AuditStore, FeedbackRecord, FeedbackStore } from '../../core/ports';
import { EXPIRES_AT, type Item, n, PK, SK, s, str, toItem } from './attributes';
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
      // A handful of items per evaluation; a retry of the same record rewrites the same items.
      await Promise.all(items.map((Item) => client.send(new PutItemCommand({ TableName: tableName, Item }))));
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
}
