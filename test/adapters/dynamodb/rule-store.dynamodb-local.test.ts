import { startDynamoDbLocal } from '../../support/dynamodb-local';
import { describeRuleStoreContract } from '../rule-store.contract';
import { dynamoRuleStoreFixture, useDynamoBackend } from './harness';

const backend = useDynamoBackend(startDynamoDbLocal);

describeRuleStoreContract('DynamoRuleStore on DynamoDB Local', dynamoRuleStoreFixture(backend), {
  raceRounds: 8,
});
