import { createHmac, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Hono } from 'hono';
import { loadCdsClients } from '../adapters/auth/cds-clients';
import { createCdsAuthenticator } from '../adapters/auth/cds-jwt';
import { createIdTokenVerifier } from '../adapters/auth/smart-id-token';
import type { ServiceConfig } from '../adapters/config';
import { DynamoAuditStore, DynamoFeedbackStore } from '../adapters/dynamodb/audit-store';
import { DynamoReplayCache } from '../adapters/dynamodb/replay-cache';
import { DynamoRuleStore } from '../adapters/dynamodb/rule-store';
import { tableNames } from '../adapters/dynamodb/tables';
import { httpFhirSourceFactory } from '../adapters/fhir/http-fhir-source';
import { createEmfMetrics, createLog } from '../adapters/observability/powertools';
import { createStoreRuleSets } from '../adapters/rulesets/store-rule-sets';
import type { FhirSourceFactory, Log, Metrics, RuleStore } from '../core/ports';
import { type AppDependencies, createCdsApp } from '../http/app';

export interface ComposedService {
  app: Hono;
  ruleStore: RuleStore;
  /** True when CDS clients must present a JWT. */
  authenticating: boolean;
}

export interface ComposeOptions {
  config: ServiceConfig;
  client: DynamoDBClient;
  /** Used when no audit secret is configured (the local server keeps one under its data directory). */
  auditSecret: string;
  log?: Log;
  metrics?: Metrics;
  fhir?: FhirSourceFactory;
}

/**
 * Builds the service from configuration: stores on the given DynamoDB client, the rule-set provider, the
 * CDS client authenticator when clients are configured, and the HTTP app. Once per process (Lambda cold
 * start or server start), never per request.
 */
export async function composeService(options: ComposeOptions): Promise<ComposedService> {
  const { config, client } = options;
  const names = tableNames(config.tablePrefix);
  const log = options.log ?? createLog();
  const metrics = options.metrics ?? createEmfMetrics({ enabled: config.metricsEnabled });
  const ruleStore = new DynamoRuleStore({ client, tableName: names.rules });
  const audit = new DynamoAuditStore({
    client,
    tableName: names.audit,
    retentionDays: config.auditRetentionDays,
  });
  const feedback = new DynamoFeedbackStore({
    client,
    tableName: names.audit,
    retentionDays: config.auditRetentionDays,
  });
  const clients = config.cdsClientsFile ? await loadCdsClients(config.cdsClientsFile) : undefined;
  const authenticate = clients
    ? createCdsAuthenticator({
        clients,
        replayCache: new DynamoReplayCache({ client, tableName: names.audit }),
      })
    : undefined;
  const secret = config.auditSecret ?? options.auditSecret;
  const deps: AppDependencies = {
    ruleSets: createStoreRuleSets(ruleStore, {
      refreshMs: config.ruleSetRefreshMs,
      maxStaleMs: config.ruleSetMaxStaleMs,
      log,
    }),
    fhir: options.fhir ?? httpFhirSourceFactory,
    audit,
    feedback,
    clock: { now: () => new Date() },
    ids: { uuid: randomUUID },
    metrics,
    log,
    pseudonymise: (patientId) => createHmac('sha256', secret).update(patientId).digest('base64url'),
    fetchBudgetMs: config.fetchBudgetMs,
    auditBudgetMs: config.auditWaitMs,
    ...(authenticate ? { authenticate, requireHttpsFhirServer: true } : {}),
    ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
    ...(config.smartLaunchUrl ? { smartLaunchUrl: config.smartLaunchUrl } : {}),
    ...(config.smartIssuers.length > 0
      ? {
          verifyIdToken: createIdTokenVerifier({
            issuers: config.smartIssuers,
            clientId: config.smartClientId,
          }),
        }
      : {}),
  };
  return { app: createCdsApp(deps), ruleStore, authenticating: authenticate !== undefined };
}
