import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { EXPIRES_AT, PK, SK } from './attributes';

/** A table as both ensureTables and the CDK stack build it (one source of truth for keys and TTL). */
export interface TableDefinition {
  /** The table's name is `<prefix>-<suffix>`. */
  suffix: string;
  partitionKey: { name: string; type: 'S' };
  sortKey: { name: string; type: 'S' };
  /** Epoch-seconds attribute DynamoDB's TTL deletes by; undefined when nothing in the table expires. */
  timeToLiveAttribute?: string;
  globalSecondaryIndexes: readonly {
    indexName: string;
    partitionKey: { name: string; type: 'S' };
    sortKey?: { name: string; type: 'S' };
  }[];
}

/**
 * Rule-set versions (claim, file chunks, manifest per version partition), the registry of versions with
 * their state, the ACTIVE pointer and the history of acts. Nothing expires here.
 */
export const RULES_TABLE: TableDefinition = {
  suffix: 'rules',
  partitionKey: { name: PK, type: 'S' },
  sortKey: { name: SK, type: 'S' },
  globalSecondaryIndexes: [],
};

/** Audit records, card → rule items, feedback and the JWT replay cache; every item carries `expiresAt`. */
export const AUDIT_TABLE: TableDefinition = {
  suffix: 'audit',
  partitionKey: { name: PK, type: 'S' },
  sortKey: { name: SK, type: 'S' },
  timeToLiveAttribute: EXPIRES_AT,
  globalSecondaryIndexes: [],
};

export const TABLES = { rules: RULES_TABLE, audit: AUDIT_TABLE } as const;

export interface TableNames {
  rules: string;
  audit: string;
}

/** `<prefix>-rules` and `<prefix>-audit`. */
export function tableNames(prefix: string): TableNames {
  return { rules: `${prefix}-${RULES_TABLE.suffix}`, audit: `${prefix}-${AUDIT_TABLE.suffix}` };
}

/**
 * Creates the tables that are missing (on-demand billing), waits until they are ACTIVE and turns TTL on.
 * For local stores and tests; in AWS the CDK stack owns the tables. A store without UpdateTimeToLive
 * (dynalite) is accepted: items still carry `expiresAt`, nothing deletes them.
 */
export async function ensureTables(
  client: DynamoDBClient,
  names: TableNames,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  await Promise.all([
    ensureTable(client, names.rules, RULES_TABLE, timeoutMs),
    ensureTable(client, names.audit, AUDIT_TABLE, timeoutMs),
  ]);
}

async function ensureTable(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
  timeoutMs: number,
): Promise<void> {
  if ((await tableStatus(client, name)) === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableInput(name, definition)));
    } catch (error) {
      // Another process created it between our describe and create.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
  }
  await waitUntilActive(client, name, timeoutMs);
  if (definition.timeToLiveAttribute !== undefined) {
    await enableTimeToLive(client, name, definition.timeToLiveAttribute);
  }
}

function createTableInput(name: string, definition: TableDefinition) {
  const attributes = new Map<string, 'S'>();
  const keyOf = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  attributes.set(definition.partitionKey.name, 'S');
  attributes.set(definition.sortKey.name, 'S');
  for (const index of definition.globalSecondaryIndexes) {
    attributes.set(index.partitionKey.name, 'S');
    if (index.sortKey) attributes.set(index.sortKey.name, 'S');
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: keyOf(definition.partitionKey, definition.sortKey),
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    ...(definition.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keyOf(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

async function tableStatus(client: DynamoDBClient, name: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    return Table?.TableStatus ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 20;
  for (;;) {
    const status = await tableStatus(client, name);
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${name} not ACTIVE after ${timeoutMs} ms (${status})`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 1000);
  }
}

async function enableTimeToLive(client: DynamoDBClient, name: string, attribute: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'UnknownOperationException') return; // dynalite
    // Two processes enabling it at once: the loser is told TTL is already being changed.
    if (error instanceof Error && error.name === 'ValidationException' && /already/i.test(error.message))
      return;
    throw error;
  }
}
