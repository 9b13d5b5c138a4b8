import { createHmac, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceConfig } from '../../adapters/config';
import { DynamoAcknowledgementStore, DynamoAuditStore } from '../../adapters/dynamodb/audit-store';
import { type TableNames, tableNames } from '../../adapters/dynamodb/tables';
import { createEmfMetrics, createLog } from '../../adapters/observability/powertools';
import type { AcknowledgementStore, AuditStore, Clock, Ids, Log, Metrics } from '../../core/ports';

/**
 * What every concern of the service is built on, once per process (Lambda cold start or server start): the
 * configuration, the DynamoDB client and table names, log and metrics, the audit trail and its pseudonyms.
 */
export interface ServiceCommon {
  config: ServiceConfig;
  client: DynamoDBClient;
  tables: TableNames;
  log: Log;
  metrics: Metrics;
  clock: Clock;
  ids: Ids;
  /** All three concerns write (or, for feedback, read) the audit trail. */
  audit: AuditStore;
  /** HMAC of the patient id with the audit secret: the audit trail's pseudonymous key. */
  pseudonymise: (patientId: string) => string;
}

export interface CommonOptions {
  config: ServiceConfig;
  client: DynamoDBClient;
  /** Used when no audit secret is configured (the local server keeps one under its data directory). */
  auditSecret: string;
  log?: Log;
  metrics?: Metrics;
}

export function composeCommon(options: CommonOptions): ServiceCommon {
  const { config, client } = options;
  const tables = tableNames(config.tablePrefix);
  const secret = config.auditSecret ?? options.auditSecret;
  return {
    config,
    client,
    tables,
    log: options.log ?? createLog(),
    metrics: options.metrics ?? createEmfMetrics({ enabled: config.metricsEnabled }),
    clock: { now: () => new Date() },
    ids: { uuid: randomUUID },
    audit: new DynamoAuditStore({
      client,
      tableName: tables.audit,
      retentionDays: config.auditRetentionDays,
    }),
    pseudonymise: (patientId) => createHmac('sha256', secret).update(patientId).digest('base64url'),
  };
}

/**
 * Order-select dismissals for order-sign, in the audit table; undefined when TAILOR_ACK_WINDOW_HOURS is 0
 * (nothing is recorded and nothing suppressed).
 */
export function composeAcknowledgements(common: ServiceCommon): AcknowledgementStore | undefined {
  const { config, client, tables } = common;
  if (config.ackWindowHours <= 0) return undefined;
  return new DynamoAcknowledgementStore({
    client,
    tableName: tables.audit,
    windowHours: config.ackWindowHours,
  });
}
