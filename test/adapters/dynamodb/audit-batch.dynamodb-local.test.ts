import { startDynamoDbLocal } from '../../support/dynamodb-local';
import { describeAuditBatchWrites } from './audit-batch';
import { useDynamoBackend } from './harness';

describeAuditBatchWrites('DynamoDB Local', useDynamoBackend(startDynamoDbLocal));
