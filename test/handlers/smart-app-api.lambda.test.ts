import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDynamoClient } from '../../functions/adapters/dynamodb/client';
import { startEmbeddedDynamo } from '../../functions/adapters/dynamodb/embedded';
import { DynamoRuleStore } from '../../functions/adapters/dynamodb/rule-store';
import { ensureTables, tableNames } from '../../functions/adapters/dynamodb/tables';
import { installBundledRuleSet } from '../../functions/server/local-server';
import { apiGatewayEvent } from '../../infra/api-gateway-event';

// The SMART app's API Lambda as deployed: configured once at import, serving /api only, never answering without
// an id_token from an allowed SMART issuer. It needs no trusted CDS clients: none are configured here.

type Handler = (event: unknown) => Promise<{ statusCode: number; body: string }>;
let store: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
let env: Record<string, string>;

beforeAll(async () => {
  store = await startEmbeddedDynamo({ dataDir: null });
  const client = createDynamoClient({ endpoint: store.endpoint });
  const prefix = `app${randomBytes(3).toString('hex')}`;
  const names = tableNames(prefix);
  await ensureTables(client, names);
  await installBundledRuleSet(new DynamoRuleStore({ client, tableName: names.rules }));
  client.destroy();
  env = {
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
});

async function load(overrides: Record<string, string | undefined> = {}): Promise<Handler> {
  const saved = { ...process.env };
  Object.assign(process.env, env, overrides);
  delete process.env.TAILOR_CDS_CLIENTS;
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete process.env[k];
  vi.resetModules();
  try {
    return ((await import('../../functions/handlers/smart-app-api')) as { handler: Handler }).handler;
  } finally {
    process.env = saved;
  }
}

function event(method: string, path: string, headers: Record<string, string> = {}) {
  return apiGatewayEvent(
    { method, path, headers, ...(method === 'POST' ? { body: '{"resources":[]}' } : {}) },
    'api.tailor.test',
  );
}

describe("the SMART app's API Lambda (smart-app-api)", () => {
  it('refuses unauthenticated calls and serves nothing but /api', async () => {
    const handler = await load();
    expect((await handler(event('POST', '/api/assessment'))).statusCode).toBe(401);
    expect((await handler(event('GET', '/api/drugs', { authorization: 'Bearer a.b.c' }))).statusCode).toBe(
      401,
    );
    expect((await handler(event('GET', '/cds-services'))).statusCode).toBe(404);
  });

  it('does not start without a SMART issuer: it would refuse every call', async () => {
    await expect(load({ TAILOR_SMART_ISSUERS: undefined })).rejects.toThrow(
      /TAILOR_SMART_ISSUERS is required/,
    );
  });

  it('does not start without the audit secret its records are pseudonymised with', async () => {
    await expect(load({ TAILOR_AUDIT_SECRET: undefined })).rejects.toThrow(/TAILOR_AUDIT_SECRET/);
  });
});
