import {
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DynamoAcknowledgementStore,
  DynamoAuditStore,
  DynamoFeedbackStore,
} from '../../../functions/adapters/dynamodb/audit-store';
import { MAX_CHUNK_BYTES } from '../../../functions/adapters/dynamodb/chunks';
import { DynamoReplayCache } from '../../../functions/adapters/dynamodb/replay-cache';
import { DynamoRuleStore } from '../../../functions/adapters/dynamodb/rule-store';
import {
  AUDIT_TABLE,
  ensureTables,
  RULES_TABLE,
  tableNames,
} from '../../../functions/adapters/dynamodb/tables';
import { startDynalite } from '../../support/dynalite';
import { acknowledgement, auditRecord, feedbackRecord } from '../audit-store.contract';
import { largeFile, ruleSetFiles } from '../rule-store.contract';
import { useDynamoBackend } from './harness';

const backend = useDynamoBackend(startDynalite);
const DAY = 86_400;
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe('DynamoDB item layout (on dynalite)', () => {
  it('creates both tables on demand with pk/sk string keys, and again is a no-op', async () => {
    const [client] = backend.clients();
    const names = tableNames('layout');

    await ensureTables(client, names);
    await ensureTables(client, names);

    for (const [name, definition] of [
      [names.rules, RULES_TABLE],
      [names.audit, AUDIT_TABLE],
    ] as const) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
      ]);
    }
    expect(names).toEqual({ rules: 'layout-rules', audit: 'layout-audit' });
  });

  it('stores a 900 KB file as three chunks under 350 KB, the manifest listing every item', async () => {
    const [client] = backend.clients();
    const { rules } = await backend.freshTables();
    const big = largeFile(900);
    await new DynamoRuleStore({ client, tableName: rules }).publish(
      '1.0.0',
      [...ruleSetFiles('a'), big],
      'alice',
      'now',
    );

    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: rules,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'RULESET#1.0.0' } },
      }),
    );

    const chunks = Items.filter((item) => item.path?.S === big.path);
    expect(chunks.map((item) => [item.sk?.S, item.part?.N, item.parts?.N])).toEqual([
      [`FILE#${big.path}#00000`, '0', '3'],
      [`FILE#${big.path}#00001`, '1', '3'],
      [`FILE#${big.path}#00002`, '2', '3'],
    ]);
    for (const chunk of chunks)
      expect(Buffer.byteLength(chunk.text?.S ?? '')).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
    const manifest = Items.find((item) => item.sk?.S === 'MANIFEST');
    expect(manifest?.fileCount?.N).toBe('6');
    expect(manifest?.itemCount?.N).toBe('8');
    expect(Items.map((item) => item.sk?.S)).toContain('CLAIM');
  });

  it('lists a version whose publisher died before its registry item once it is approved (repair)', async () => {
    const [client] = backend.clients();
    const { rules } = await backend.freshTables();
    const store = new DynamoRuleStore({ client, tableName: rules });
    const meta = await store.publish('1.0.0', ruleSetFiles('a'), 'alice', '2025-03-01T10:00:00.000Z');
    await client.send(
      new DeleteItemCommand({ TableName: rules, Key: { pk: { S: 'RULESETS' }, sk: { S: 'VERSION#1.0.0' } } }),
    );

    expect(await store.list()).toEqual([]);
    expect((await store.load('1.0.0')).meta).toEqual(meta);
    await store.approve('1.0.0', 'bob', '2025-03-01T10:01:00.000Z');

    expect(await store.list()).toEqual([
      { ...meta, state: 'approved', approvedBy: 'bob', approvedAt: '2025-03-01T10:01:00.000Z' },
    ]);
  });

  it('gives audit, card and feedback items expiresAt = their own time + the retention', async () => {
    const [client] = backend.clients();
    const { audit } = await backend.freshTables();
    const options = { client, tableName: audit, retentionDays: 30 };
    const record = auditRecord();
    const feedback = feedbackRecord();
    await new DynamoAuditStore(options).record(record);
    await new DynamoFeedbackStore(options).put(feedback);

    const get = async (pk: string, sk: string) =>
      (await client.send(new GetItemCommand({ TableName: audit, Key: { pk: { S: pk }, sk: { S: sk } } })))
        .Item;
    const auditItem = await get(`PATIENT#${record.patientKey}`, `AUDIT#${record.at}#${record.hookInstance}`);
    const card = await get('CARD#card-2', 'CARD');
    const feedbackItem = await get('CARD#card-1', `FEEDBACK#overridden#${feedback.outcomeTimestamp}`);

    expect(auditItem?.expiresAt?.N).toBe(String(epoch(record.at) + 30 * DAY));
    expect(auditItem?.cards?.L?.[1]?.M?.ruleId?.S).toBe('slco1b1-simvastatin');
    expect(card?.expiresAt?.N).toBe(String(epoch(record.at) + 30 * DAY));
    expect(card?.ruleSetVersion?.S).toBe(record.ruleSetVersion);
    expect(feedbackItem?.expiresAt?.N).toBe(String(epoch(feedback.receivedAt) + 30 * DAY));
    expect(feedbackItem?.overrideReason?.M?.code?.S).toBe('patient-tolerated');
  });

  it('keeps items without expiresAt when the retention is null, and stores a replay claim with its expiry', async () => {
    const [client] = backend.clients();
    const { audit } = await backend.freshTables();
    const record = auditRecord();
    await new DynamoAuditStore({ client, tableName: audit, retentionDays: null }).record(record);
    await new DynamoReplayCache({ client, tableName: audit }).claim('iss|jti', 1_900_000_000);

    const get = async (pk: string, sk: string) =>
      (await client.send(new GetItemCommand({ TableName: audit, Key: { pk: { S: pk }, sk: { S: sk } } })))
        .Item;

    expect(
      await get(`PATIENT#${record.patientKey}`, `AUDIT#${record.at}#${record.hookInstance}`),
    ).not.toHaveProperty('expiresAt');
    expect((await get('JTI#iss|jti', 'JTI'))?.expiresAt?.N).toBe('1900000000');
  });

  it("keeps a patient's acknowledgements in one partition by time, gone (TTL) a day after the window", async () => {
    const [client] = backend.clients();
    const { audit } = await backend.freshTables();
    const ack = acknowledgement();
    await new DynamoAcknowledgementStore({ client, tableName: audit, windowHours: 12 }).acknowledge(ack);

    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: audit,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `ACK#${ack.patientKey}` } },
      }),
    );

    expect(Items.map((item) => item.sk?.S)).toEqual([`${ack.at}#${ack.card}`]);
    expect(Items[0]?.expiresAt?.N).toBe(String(epoch(ack.at) + 12 * 3600 + DAY));
    expect(Items[0]?.orderId?.S).toBe(ack.orderId);
  });
});
