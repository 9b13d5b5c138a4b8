import {
  type BatchWriteItemCommandInput,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { fromItem, type Item } from '../../../functions/adapters/dynamodb/attributes';
import { DynamoAuditStore } from '../../../functions/adapters/dynamodb/audit-store';
import { MAX_BATCH_ITEMS } from '../../../functions/adapters/dynamodb/batch-write';
import { createDynamoClient } from '../../../functions/adapters/dynamodb/client';
import { StoreUnavailableError } from '../../../functions/adapters/dynamodb/errors';
import type { AuditRecord } from '../../../functions/core/ports';
import { auditRecord } from '../audit-store.contract';
import type { DynamoBackend } from './harness';

const DAY = 86_400;

/** One call the client made: its command and, for BatchWriteItem, the keys sent and when. */
interface Call {
  command: string;
  keys: string[];
  at: number;
}

/** Decides which of a BatchWriteItem call's requests the "service" hands back unprocessed. */
type Throttle = (requests: WriteRequest[]) => WriteRequest[];

const keyOf = (request: WriteRequest): string =>
  `${request.PutRequest?.Item?.pk?.S}|${request.PutRequest?.Item?.sk?.S}`;

/**
 * A real client to the test's store, with a middleware that plays the service's documented throttling answer:
 * the requests `throttle` picks are not sent and come back in UnprocessedItems, the others are written.
 */
function recordingClient(endpoint: string, throttle: Throttle = () => []) {
  const client = createDynamoClient({ endpoint, maxAttempts: 3, requestTimeoutMs: 15_000 });
  const calls: Call[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') {
        calls.push({ command: context.commandName ?? '', keys: [], at: performance.now() });
        return next(args);
      }
      const input = args.input as BatchWriteItemCommandInput;
      const [[table, requests] = ['', []]] = Object.entries(input.RequestItems ?? {});
      calls.push({ command: context.commandName, keys: requests.map(keyOf), at: performance.now() });
      const held = throttle(requests);
      const sent = requests.filter((request) => !held.includes(request));
      const result =
        sent.length > 0
          ? await next({ ...args, input: { ...input, RequestItems: { [table]: sent } } })
          : { output: { $metadata: {} } satisfies BatchWriteItemCommandOutput, response: {} };
      const output = result.output as BatchWriteItemCommandOutput;
      const unprocessed = [...(output.UnprocessedItems?.[table] ?? []), ...held];
      return {
        ...result,
        output: { ...output, UnprocessedItems: unprocessed.length > 0 ? { [table]: unprocessed } : {} },
      };
    },
    { step: 'initialize', name: 'throttleBatchWrites' },
  );
  return { client, calls, batches: () => calls.filter((call) => call.command === 'BatchWriteItemCommand') };
}

function withCards(count: number): AuditRecord {
  const cards = Array.from({ length: count }, (_, i) => ({
    uuid: `card-${i}`,
    ruleId: `rule-${i % 3}`,
    ruleVersion: '1.0.0',
    action: i % 2 === 0 ? 'avoid' : 'reduce-dose',
  }));
  // Dated now: DynamoDB Local applies TTL, and items whose expiresAt has passed vanish during the test.
  return auditRecord({
    cards,
    cardUuids: cards.map((card) => card.uuid),
    firedRules: [],
    at: new Date().toISOString(),
  });
}

/** The items the store wrote before BatchWriteItem (one PutItem each): the record, then one per card. */
function expectedItems(record: AuditRecord, expiresAt: number): Record<string, unknown>[] {
  return [
    {
      ...record,
      pk: `PATIENT#${record.patientKey}`,
      sk: `AUDIT#${record.at}#${record.hookInstance}`,
      expiresAt,
    },
    ...record.cards.map((card) => ({
      pk: `CARD#${card.uuid}`,
      sk: 'CARD',
      ruleId: card.ruleId,
      ruleVersion: card.ruleVersion,
      action: card.action,
      ...(card.classification ? { classification: card.classification } : {}),
      ...(card.orderId ? { orderId: card.orderId } : {}),
      service: record.service,
      hook: record.hook,
      hookInstance: record.hookInstance,
      patientKey: record.patientKey,
      ruleSetVersion: record.ruleSetVersion,
      ...(record.tenant ? { tenant: record.tenant } : {}),
      at: record.at,
      expiresAt,
    })),
  ];
}

async function scan(client: DynamoDBClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.map(fromItem);
}

const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`);

export function describeAuditBatchWrites(name: string, backend: DynamoBackend): void {
  describe(`audit records written with BatchWriteItem: ${name}`, () => {
    const clients: DynamoDBClient[] = [];
    afterEach(() => {
      for (const client of clients.splice(0)) client.destroy();
    });

    async function setup(throttle?: Throttle) {
      const { audit } = await backend.freshTables();
      const recording = recordingClient(backend.endpoint(), throttle);
      clients.push(recording.client);
      const store = new DynamoAuditStore({ client: recording.client, tableName: audit, retentionDays: 30 });
      return { ...recording, store, table: audit };
    }

    it.each([0, 1, 30])(
      'writes a record with %i cards as the same items as before, in chunks of 25',
      async (count) => {
        const { store, client, table, calls, batches } = await setup();
        const record = withCards(count);

        await store.record(record);

        const expiresAt = Math.floor(Date.parse(record.at) / 1000) + 30 * DAY;
        expect((await scan(client, table)).sort(byKey)).toEqual(expectedItems(record, expiresAt).sort(byKey));
        for (const card of record.cards)
          expect(await store.findCard(card.uuid)).toEqual({
            ruleId: card.ruleId,
            ruleVersion: card.ruleVersion,
            service: record.service,
            hook: record.hook,
            action: card.action,
            patientKey: record.patientKey,
            ruleSetVersion: record.ruleSetVersion,
            tenant: record.tenant,
          });
        const sizes = batches().map((call) => call.keys.length);
        expect(sizes).toEqual(count === 30 ? [MAX_BATCH_ITEMS, 6] : [count + 1]);
        expect(calls.some((call) => call.command === 'PutItemCommand')).toBe(false);
      },
    );

    it('rewrites the same items when the same record is recorded again (idempotent)', async () => {
      const { store, client, table } = await setup();
      const record = withCards(3);
      await store.record(record);
      const first = await scan(client, table);

      await store.record(record);

      expect((await scan(client, table)).sort(byKey)).toEqual(first.sort(byKey));
    });

    it('writes one card item when a record repeats a card uuid (a batch must not hold a key twice)', async () => {
      const { store } = await setup();
      const record = withCards(2);
      const repeated = { ...record, cards: [...record.cards, { ...record.cards[0]!, ruleId: 'later' }] };

      await store.record(repeated);

      expect(await store.findCard('card-0')).toMatchObject({ ruleId: 'later' });
      expect(await store.findCard('card-1')).toMatchObject({ ruleId: record.cards[1]!.ruleId });
    });

    it('sends again what the service left unprocessed, after a short backoff, until all is written', async () => {
      // Every other request of a chunk's first call comes back unprocessed (each key once).
      const seen = new Set<string>();
      const { store, batches } = await setup((requests) => {
        const fresh = requests.filter((request) => !seen.has(keyOf(request)));
        for (const request of requests) seen.add(keyOf(request));
        return fresh.filter((_, i) => i % 2 === 1);
      });
      const record = withCards(30);

      await store.record(record);

      for (const card of record.cards) expect(await store.findCard(card.uuid)).toBeDefined();
      const [first, second, ...retries] = batches();
      expect([first?.keys.length, second?.keys.length]).toEqual([25, 6]);
      // Each chunk's retry sends exactly what its first call got back (12 of 25, 3 of 6), after a backoff of
      // at least half the 25 ms base delay.
      expect(retries).toHaveLength(2);
      for (const chunk of [first!, second!]) {
        const retry = retries.find((call) => call.keys[0] === chunk.keys[1]);
        expect(retry?.keys).toEqual(chunk.keys.filter((_, i) => i % 2 === 1));
        expect(retry!.at - chunk.at).toBeGreaterThanOrEqual(12);
      }
    });

    it('rejects with the store-unavailable error within about a second when items stay unprocessed', async () => {
      // The service never takes card-7's item.
      const { store, batches } = await setup((requests) =>
        requests.filter((request) => request.PutRequest?.Item?.pk?.S === 'CARD#card-7'),
      );
      const record = withCards(30);

      const started = performance.now();
      const error = await store.record(record).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      const elapsed = performance.now() - started;

      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(
        /^audit store record failed \(UnprocessedItemsError: 1 of 31 items unprocessed after \d+ attempts\)$/,
      );
      expect(elapsed).toBeLessThan(1500);
      const tries = batches().filter((call) => call.keys.includes('CARD#card-7|CARD'));
      expect(tries.length).toBeGreaterThanOrEqual(3);
      expect(tries.length).toBeLessThanOrEqual(5);
      // Everything else was written.
      expect(await store.findCard('card-7')).toBeUndefined();
      expect(await store.findCard('card-8')).toBeDefined();
    });
  });
}
