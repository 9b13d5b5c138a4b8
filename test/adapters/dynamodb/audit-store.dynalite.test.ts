import { startDynalite } from '../../support/dynalite';
import { describeAuditStoreContract } from '../audit-store.contract';
import { dynamoAuditStoreFixture, useDynamoBackend } from './harness';

const backend = useDynamoBackend(startDynalite);

describeAuditStoreContract('DynamoDB stores on dynalite', dynamoAuditStoreFixture(backend));
