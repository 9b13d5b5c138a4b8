import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDynamoClient } from '../../functions/adapters/dynamodb/client';
import { startEmbeddedDynamo } from '../../functions/adapters/dynamodb/embedded';
import { DynamoRuleStore } from '../../functions/adapters/dynamodb/rule-store';
import { ensureTables, tableNames } from '../../functions/adapters/dynamodb/tables';
import { installBundledRuleSet } from '../../functions/server/local-server';

// The app API's Lambda entry: configured once at import, serving /api only, never answering without an id_token
// from an allowed SMART issuer.

type Handler = (event: unknown) => Promise<{ statusCode: number; body: string }>;
let store: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  store = await startEmbeddedDynamo({ dataDir: null });
  const client = createDynamoClient({ endpoint: store.endpoint });
  const prefix = `app${randomBytes(3).toString('hex')}`;
  const names = tableNames(prefix);
  await ensureTables(client, names);
  await installBundledRuleSet(new DynamoRuleStore({ client, tableName: names.rules }));
  client.destroy();
  dir = await mkdtemp(join(tmpdir(), 'tailor-app-lambda-'));
  const clients = join(dir, 'clients.json');
  await writeFile(
    clients,
    JSON.stringify({
      clients: [{ iss: 'https://ehr.example.org', jwks_uri: 'https://ehr.example.org/jwks' }],
    }),
  );
  env = {
    TAILOR_CDS_CLIENTS: clients,
    TAILOR_DYNAMODB_ENDPOINT: store.endpoint,
    TAILOR_TABLE_PREFIX: prefix,
    TAILOR_AUDIT_SECRET: randomBytes(24).toString('hex'),
    TAILOR_SMART_ISSUERS: 'https://ehr.example.org/oidc',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
});
afterAll(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function load(overrides: Record<string, string | undefined> = {}): Promise<Handler> {
  const saved = { ...process.env };
  Object.assign(process.env, env, overrides);
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete process.env[k];
  vi.resetModules();
  try {
    return ((await import('../../functions/handlers/app-api')) as { handler: Handler }).handler;
  } finally {
    process.env = saved;
  }
}

function event(method: string, path: string, headers: Record<string, string> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.tailor.test', ...headers },
    body: method === 'POST' ? '{"resources":[]}' : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.tailor.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: randomBytes(8).toString('hex'),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

describe('the app API Lambda', () => {
  it('refuses unauthenticated calls and serves nothing but /api', async () => {
    const handler = await load();
    expect((await handler(event('POST', '/api/assessment'))).statusCode).toBe(401);
    expect((await handler(event('GET', '/api/drugs', { authorization: 'Bearer a.b.c' }))).statusCode).toBe(
      401,
    );
    expect((await handler(event('GET', '/cds-services'))).statusCode).toBe(404);
  });

  it('refuses every call when no SMART issuer is configured (or does not start at all)', async () => {
    const handler = await load({ TAILOR_SMART_ISSUERS: undefined }).catch((error: unknown) => error);
    if (handler instanceof Error) {
      expect(handler.message).toMatch(/TAILOR_SMART_ISSUERS/);
      return;
    }
    const call = handler as Handler;
    expect((await call(event('POST', '/api/assessment', { authorization: 'Bearer a.b.c' }))).statusCode).toBe(
      401,
    );
  });
});
