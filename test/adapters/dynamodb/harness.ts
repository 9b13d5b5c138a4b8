import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import {
  DynamoAcknowledgementStore,
  DynamoAuditStore,
  DynamoFeedbackStore,
} from '../../../functions/adapters/dynamodb/audit-store';
import { createDynamoClient } from '../../../functions/adapters/dynamodb/client';
import { DynamoReplayCache } from '../../../functions/adapters/dynamodb/replay-cache';
import { DynamoRuleStore, fileSortKey } from '../../../functions/adapters/dynamodb/rule-store';
import { ensureTables, type TableNames, tableNames } from '../../../functions/adapters/dynamodb/tables';
import type { AuditStoreFixture } from '../audit-store.contract';
import type { RuleStoreFixture } from '../rule-store.contract';

/** A store server for one test file: started in beforeAll, stopped in afterAll. */
export interface DynamoBackend {
  /** Two clients (two connection pools), as two processes would have. */
  clients(): [DynamoDBClient, DynamoDBClient];
  /** Fresh tables with unique names, for one test. */
  freshTables(): Promise<TableNames>;
  /** The server's endpoint, for a test that builds its own client. */
  endpoint(): string;
}

export function useDynamoBackend(
  start: () => Promise<{ endpoint: string; close(): Promise<void> }>,
): DynamoBackend {
  let server: { endpoint: string; close(): Promise<void> } | undefined;
  let pair: [DynamoDBClient, DynamoDBClient] | undefined;

  beforeAll(async () => {
    server = await start();
    // A cold JVM answers its first requests slowly: generous limits here, the defaults are tested apart.
    const client = () =>
      createDynamoClient({ endpoint: server!.endpoint, maxAttempts: 3, requestTimeoutMs: 15_000 });
    pair = [client(), client()];
  });

  afterAll(async () => {
    for (const client of pair ?? []) client.destroy();
    await server?.close();
  });

  return {
    clients() {
      if (!pair) throw new Error('the store server is not started');
      return pair;
    },
    endpoint() {
      if (!server) throw new Error('the store server is not started');
      return server.endpoint;
    },
    async freshTables() {
      const names = tableNames(`t${randomUUID().slice(0, 8)}`);
      await ensureTables(this.clients()[0], names);
      return names;
    },
  };
}

export function dynamoRuleStoreFixture(backend: DynamoBackend): () => Promise<RuleStoreFixture> {
  return async () => {
    const { rules } = await backend.freshTables();
    const [client, otherClient] = backend.clients();
    const key = (version: string, sk: string) => ({ pk: { S: `RULESET#${version}` }, sk: { S: sk } });
    const putFile = async (version: string, path: string, text: string) => {
      await client.send(
        new PutItemCommand({
          TableName: rules,
          Item: {
            ...key(version, fileSortKey(path, 0)),
            path: { S: path },
            part: { N: '0' },
            parts: { N: '1' },
            text: { S: text },
          },
        }),
      );
    };
    const remove = async (version: string, sk: string) => {
      await client.send(new DeleteItemCommand({ TableName: rules, Key: key(version, sk) }));
    };
    return {
      store: new DynamoRuleStore({ client, tableName: rules }),
      other: new DynamoRuleStore({ client: otherClient, tableName: rules }),
      raw: {
        rewriteFile: putFile,
        addFile: putFile,
        deleteFile: (version, path) => remove(version, fileSortKey(path, 0)),
        deleteManifest: (version) => remove(version, 'MANIFEST'),
      },
    };
  };
}

export function dynamoAuditStoreFixture(backend: DynamoBackend): () => Promise<AuditStoreFixture> {
  return async () => {
    const { audit } = await backend.freshTables();
    const [client, otherClient] = backend.clients();
    const options = { client, tableName: audit, retentionDays: 30 };
    return {
      audit: new DynamoAuditStore(options),
      feedback: new DynamoFeedbackStore(options),
      otherFeedback: new DynamoFeedbackStore({ ...options, client: otherClient }),
      replay: new DynamoReplayCache({ client, tableName: audit }),
      otherReplay: new DynamoReplayCache({ client: otherClient, tableName: audit }),
      acknowledgements: new DynamoAcknowledgementStore({ client, tableName: audit, windowHours: 12 }),
      otherAcknowledgements: new DynamoAcknowledgementStore({
        client: otherClient,
        tableName: audit,
        windowHours: 12,
      }),
    };
  };
}
