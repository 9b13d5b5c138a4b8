/**
 * What every Tailor Lambda does once per cold start: resolve secrets, read configuration, build the stores on
 * DynamoDB and compose the same Hono app the local server runs. In AWS the service never runs without its
 * trusted CDS clients: there is no development mode behind API Gateway.
 */
import { type Context, Hono } from 'hono';
import { ConfigurationError, readServiceConfig } from '../adapters/config';
import { createDynamoClient } from '../adapters/dynamodb/client';
import { resolveSecretEnv } from '../adapters/secrets';
import { respond } from '../http/outcome';
import { composeService } from '../server/compose';

type Env = Record<string, string | undefined>;

export async function createLambdaApp(env: Env): Promise<Hono> {
  const config = readServiceConfig(await resolveSecretEnv(env));
  if (!config.auditSecret) {
    throw new ConfigurationError('TAILOR_AUDIT_SECRET_ARN (or TAILOR_AUDIT_SECRET) is required');
  }
  if (!config.cdsClientsFile) {
    throw new ConfigurationError(
      'TAILOR_CDS_CLIENTS is required in AWS: the service does not run unauthenticated',
    );
  }
  const client = createDynamoClient(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {});
  const { app } = await composeService({ config, client, auditSecret: config.auditSecret });
  return app;
}

/** The one feedback route (POST /cds-services/{id}/feedback). */
export const isFeedbackCall = (method: string, path: string): boolean =>
  method === 'POST' && /^\/cds-services\/[^/]+\/feedback$/.test(path);

/** Discovery, service calls, their CORS preflights, and /health: everything CDS Hooks but feedback. */
export const isCdsServiceCall = (method: string, path: string): boolean =>
  path === '/health' ||
  ((path === '/cds-services' || path.startsWith('/cds-services/')) && !isFeedbackCall(method, path));

/** The SMART app's API: /api and everything under it. */
export const isAppApiCall = (_method: string, path: string): boolean =>
  path === '/api' || path.startsWith('/api/');

/**
 * The app limited to the calls this function's concern serves; anything else is a 404, as if the route did
 * not exist. API Gateway already routes by concern: this keeps a misrouted call from reaching code whose
 * permissions the function does not have.
 */
export function servingOnly(app: Hono, serves: (method: string, path: string) => boolean): Hono {
  const outer = new Hono();
  outer.all('*', (c: Context) =>
    serves(c.req.method, c.req.path)
      ? app.fetch(c.req.raw, c.env)
      : respond(c, { kind: 'problem', status: 404, problem: 'not found' }),
  );
  return outer;
}
