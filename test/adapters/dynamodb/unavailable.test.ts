import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoAcknowledgementStore,
  DynamoAuditStore,
  DynamoFeedbackStore,
} from '../../../functions/adapters/dynamodb/audit-store';
import { createDynamoClient } from '../../../functions/adapters/dynamodb/client';
import { StoreUnavailableError } from '../../../functions/adapters/dynamodb/errors';
import { DynamoReplayCache } from '../../../functions/adapters/dynamodb/replay-cache';
import { DynamoRuleStore } from '../../../functions/adapters/dynamodb/rule-store';
import { RuleStoreError } from '../../../functions/core/ports';
import { acknowledgement, auditRecord, feedbackRecord } from '../audit-store.contract';
import { ruleSetFiles } from '../rule-store.contract';

/** A port nothing listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Accepts connections and never answers: a hung store. */
let hung: Server;
const sockets = new Set<Socket>();

beforeAll(async () => {
  hung = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
  });
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hung.close(resolve));
});

async function timed<T>(operation: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await operation().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return { error, ms: performance.now() - started };
}

describe.concurrent.each([
  ['refused', async () => `http://127.0.0.1:${await closedPort()}`],
  ['hung', async () => `http://127.0.0.1:${(hung.address() as AddressInfo).port}`],
])('a store endpoint that is %s, with the default client limits', (_, endpoint) => {
  it("fails the rule store's calls as 'unavailable' within 3 s, with the cause", async () => {
    const client = createDynamoClient({ endpoint: await endpoint() });
    const store = new DynamoRuleStore({ client, tableName: 'tailor-rules' });

    const results = await Promise.all([
      timed(() => store.active()),
      timed(() => store.load('1.0.0')),
      timed(() => store.publish('1.0.0', ruleSetFiles('a'), 'alice', '2025-03-01T10:00:00.000Z')),
      timed(() => store.history()),
    ]);
    client.destroy();

    for (const { error, ms } of results) {
      expect(error).toBeInstanceOf(RuleStoreError);
      expect(error).toMatchObject({ code: 'unavailable' });
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(3000);
    }
  });

  it('fails audit, feedback, acknowledgement and replay calls as StoreUnavailableError within 3 s', async () => {
    const client = createDynamoClient({ endpoint: await endpoint() });
    const options = { client, tableName: 'tailor-audit', retentionDays: 30 };
    const acks = new DynamoAcknowledgementStore({ ...options, windowHours: 12 });

    const results = await Promise.all([
      timed(() => new DynamoAuditStore(options).record(auditRecord())),
      timed(() => new DynamoAuditStore(options).findCard('card-1')),
      timed(() => new DynamoFeedbackStore(options).put(feedbackRecord())),
      timed(() => new DynamoReplayCache(options).claim('jti', Math.floor(Date.now() / 1000) + 60)),
      timed(() => acks.acknowledge(acknowledgement())),
      timed(() => acks.since('hmac-3f9a7c', new Date().toISOString())),
    ]);
    client.destroy();

    for (const { error, ms } of results) {
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(3000);
    }
  });
});
