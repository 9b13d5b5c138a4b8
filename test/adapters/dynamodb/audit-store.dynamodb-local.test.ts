import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../support/dynamodb-local';
import { describeAuditStoreContract } from '../audit-store.contract';
import { dynamoAuditStoreFixture, useDynamoBackend } from './harness';

const backend = useDynamoBackend(startDynamoDbLocal);

describeAuditStoreContract('DynamoDB stores on DynamoDB Local', dynamoAuditStoreFixture(backend));

describe('tables on DynamoDB Local', () => {
  it('turns TTL on for the audit table (expiresAt)', async () => {
    const { audit } = await backend.freshTables();

    const { TimeToLiveDescription } = await backend
      .clients()[0]
      .send(new DescribeTimeToLiveCommand({ TableName: audit }));

    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });
});
