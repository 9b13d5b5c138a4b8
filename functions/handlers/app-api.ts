/**
 * The SMART app's API Lambda (POST /api/assessment, GET /api/drugs; API Gateway HTTP API, payload v2): the same
 * app as the local server, limited to /api. Configuration and stores are built once per cold start.
 */
import { type Context, Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { ConfigurationError, readServiceConfig } from '../adapters/config';
import { createDynamoClient } from '../adapters/dynamodb/client';
import { respond } from '../http/outcome';
import { composeService } from '../server/compose';

const config = readServiceConfig(process.env);
if (!config.auditSecret)
  throw new ConfigurationError("TAILOR_AUDIT_SECRET is required (the audit trail's HMAC secret)");
if (config.smartIssuers.length === 0)
  throw new ConfigurationError(
    'TAILOR_SMART_ISSUERS is required: the app API never answers an unauthenticated call',
  );
const client = createDynamoClient(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {});
const { app } = await composeService({ config, client, auditSecret: config.auditSecret });

/** Only the app's routes: a misrouted CDS call gets a 404, as if the route did not exist. */
export const isAppApiCall = (path: string): boolean => path === '/api' || path.startsWith('/api/');

const outer = new Hono();
outer.all('*', (c: Context) =>
  isAppApiCall(c.req.path)
    ? app.fetch(c.req.raw, c.env)
    : respond(c, { kind: 'problem', status: 404, problem: 'not found' }),
);

export const handler = handle(outer);
