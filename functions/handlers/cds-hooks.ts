/**
 * The CDS Hooks Lambda (API Gateway HTTP API, payload v2): the same app as the local server. Configuration
 * and stores are built once per cold start; each event is converted at the edge by Hono's adapter.
 */
import { handle } from 'hono/aws-lambda';
import { ConfigurationError, readServiceConfig } from '../adapters/config';
import { createDynamoClient } from '../adapters/dynamodb/client';
import { composeService } from '../server/compose';

const config = readServiceConfig(process.env);
if (!config.auditSecret)
  throw new ConfigurationError("TAILOR_AUDIT_SECRET is required (the audit trail's HMAC secret)");
const client = createDynamoClient(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {});
const { app } = await composeService({ config, client, auditSecret: config.auditSecret });

export const handler = handle(app);
