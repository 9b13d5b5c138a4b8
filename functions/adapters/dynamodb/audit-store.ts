import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  paginateScan,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import type {
  Acknowledgement,
  AcknowledgementStore,
  AuditRecord,
  AuditStore,
  CardProvenance,
  FeedbackRecord,
  FeedbackStore,
} from '../../core/ports';
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
 *   CARD#<uuid>           CARD                                  the card's rule: ruleId, ruleVersion, service,
 *                                                               hook, action, classification, orderId,
 *                                                               patientKey, ruleSetVersion, tenant
 *   CARD#<uuid>           FEEDBACK#<outcome>#<outcomeTimestamp>  one feedback (the FeedbackRecord's fields)
 *   ACK#<patientKey>      <at>#<card uuid>                      an order-select card dismissed (Acknowledgement)
 *   JTI#<key>             JTI                                   a claimed JWT id (see replay-cache.ts)
 *
 * A patient's evaluations are one partition in time order (pseudonymous key); a card's feedback sits beside
 * the card it answers; a patient's acknowledgements are one partition in time order, read with one Query
 * (sk >= the window's start) and gone by TTL soon after the window.
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
          ...toItem({
            ruleId: card.ruleId,
            ruleVersion: card.ruleVersion,
            action: card.action,
            classification: card.classification,
            orderId: card.orderId,
            service: entry.service,
            hook: entry.hook,
            hookInstance: entry.hookInstance,
            patientKey: entry.patientKey,
            ruleSetVersion: entry.ruleSetVersion,
            tenant: entry.tenant,
            at: entry.at,
          }),
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

  async findCard(uuid: string): Promise<CardProvenance | undefined> {
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
    if (ruleId === undefined || ruleVersion === undefined || service === undefined) return undefined;
    const provenance: CardProvenance = { ruleId, ruleVersion, service };
    for (const name of OPTIONAL_PROVENANCE) {
      const value = str(item, name);
      if (value !== undefined) provenance[name] = value;
    }
    return provenance;
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

const OPTIONAL_PROVENANCE = [
  'hook',
  'action',
  'classification',
  'orderId',
  'patientKey',
  'ruleSetVersion',
  'tenant',
] as const satisfies readonly (keyof CardProvenance)[];

/** Every item a filtered Scan finds, page by page. */
async function scanAll(
  options: DynamoAuditOptions,
  operation: string,
  filter: Pick<
    ScanCommandInput,
    'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >,
): Promise<Item[]> {
  const items: Item[] = [];
  try {
    const pages = paginateScan({ client: options.client }, { TableName: options.tableName, ...filter });
    for await (const page of pages) items.push(...(page.Items ?? []));
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

export interface DynamoAcknowledgementOptions {
  client: DynamoDBClient;
  tableName: string;
  /** The acknowledgement window: an item expires (TTL) a day after it can no longer suppress a card. */
  windowHours: number;
}

const ACK_FIELDS = [
  'patientKey',
  'orderId',
  'ruleId',
  'ruleVersion',
  'action',
  'classification',
  'ruleSetVersion',
  'card',
  'at',
] as const satisfies readonly (keyof Acknowledgement)[];

/** The partition of a patient's acknowledgements; the CDS function may Query these partitions only. */
export const ACK_PARTITION_PREFIX = 'ACK#';
const ackPk = (patientKey: string) => s(`${ACK_PARTITION_PREFIX}${patientKey}`);

/** Acknowledgements in the audit table, one partition per patient (pseudonymous key), sorted by time. */
export class DynamoAcknowledgementStore implements AcknowledgementStore {
  constructor(private readonly options: DynamoAcknowledgementOptions) {}

  async acknowledge(ack: Acknowledgement): Promise<void> {
    const at = Date.parse(ack.at);
    const expiresAt = Math.floor(at / 1000) + Math.round((this.options.windowHours + 24) * 3600);
    try {
      // Unconditional: a repeat writes the same key with the same values.
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...toItem({ ...ack }),
            [PK]: ackPk(ack.patientKey),
            [SK]: s(`${ack.at}#${ack.card}`),
            ...(Number.isNaN(at) ? {} : { [EXPIRES_AT]: n(expiresAt) }),
          },
        }),
      );
    } catch (error) {
      throw storeUnavailable('acknowledgement store', 'acknowledge', error);
    }
  }

  async since(patientKey: string, sinceIso: string): Promise<Acknowledgement[]> {
    const items: Item[] = [];
    try {
      const pages = paginateQuery(
        { client: this.options.client },
        {
          TableName: this.options.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk >= :since',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': ackPk(patientKey), ':since': s(sinceIso) },
          // Feedback may have been written a moment ago by another function.
          ConsistentRead: true,
        },
      );
      for await (const page of pages) items.push(...(page.Items ?? []));
    } catch (error) {
      throw storeUnavailable('acknowledgement store', 'since', error);
    }
    const acknowledgements: Acknowledgement[] = [];
    for (const item of items) {
      const fields = Object.fromEntries(ACK_FIELDS.map((name) => [name, str(item, name)]));
      // An item missing a field cannot be matched with certainty: left out, so the card shows.
      if (Object.values(fields).some((value) => value === undefined)) continue;
      const tenant = str(item, 'tenant');
      acknowledgements.push({
        ...(fields as Omit<Acknowledgement, 'tenant'>),
        ...(tenant ? { tenant } : {}),
      });
    }
    return acknowledgements;
  }
}
