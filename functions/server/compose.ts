import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Hono } from 'hono';
import { loadCdsClients } from '../adapters/auth/cds-clients';
import type { ServiceConfig } from '../adapters/config';
import type { FhirSourceFactory, Log, Metrics, RuleStore } from '../core/ports';
import { createApp } from '../http/app';
import { appApiConcern } from './concerns/app-api';
import { composeCdsAuthentication } from './concerns/cds-auth';
import { cdsServicesConcern } from './concerns/cds-services';
import { composeCommon } from './concerns/common';
import { feedbackConcern } from './concerns/feedback';
import { composeRuleSets } from './concerns/rule-sets';

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
 * The whole service on one app, as the local server runs it: the CDS services, feedback and the SMART app's
 * API, sharing one rule-set cache and one CDS client authenticator. In AWS each concern is its own Lambda
 * (functions/handlers), composed from the same pieces. Once per process, never per request.
 */
export async function composeService(options: ComposeOptions): Promise<ComposedService> {
  const common = composeCommon(options);
  const { ruleStore, ruleSets } = composeRuleSets(common);
  const clients = options.config.cdsClientsFile
    ? await loadCdsClients(options.config.cdsClientsFile)
    : undefined;
  const authenticate = composeCdsAuthentication(common, clients);
  const app = createApp(common, [
    cdsServicesConcern(common, {
      ruleSets,
      authenticate,
      ...(options.fhir ? { fhir: options.fhir } : {}),
    }),
    feedbackConcern(common, { authenticate }),
    appApiConcern(common, { ruleSets }),
  ]);
  return { app, ruleStore, authenticating: authenticate !== undefined };
}
