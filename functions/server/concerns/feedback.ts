import { DynamoFeedbackStore } from '../../adapters/dynamodb/audit-store';
import type { Mount } from '../../http/app';
import type { Authenticate } from '../../http/cds-common';
import { mountFeedback } from '../../http/feedback';
import { composeAcknowledgements, type ServiceCommon } from './common';

/**
 * CDS Hooks feedback: reads the card's provenance and writes feedback (and acknowledgements of dismissed
 * order-select cards) in the audit table; no rule sets.
 */
export function feedbackConcern(
  common: ServiceCommon,
  shared: { authenticate: Authenticate | undefined },
): Mount {
  const { config, client } = common;
  const feedback = new DynamoFeedbackStore({
    client,
    tableName: common.tables.audit,
    retentionDays: config.auditRetentionDays,
  });
  const acknowledgements = composeAcknowledgements(common);
  return (app) =>
    mountFeedback(app, {
      audit: common.audit,
      feedback,
      clock: common.clock,
      ...(acknowledgements ? { acknowledgements } : {}),
      log: common.log,
      metrics: common.metrics,
      ...(shared.authenticate ? { authenticate: shared.authenticate } : {}),
      ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
    });
}
