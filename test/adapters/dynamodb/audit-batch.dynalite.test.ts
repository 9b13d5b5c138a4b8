import { startDynalite } from '../../support/dynalite';
import { describeAuditBatchWrites } from './audit-batch';
import { useDynamoBackend } from './harness';

describeAuditBatchWrites('dynalite', useDynamoBackend(startDynalite));
