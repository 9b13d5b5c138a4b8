import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { parseCdsClients } from '../../functions/adapters/auth/cds-clients';
import { cdsClientsSha256 } from '../../functions/adapters/auth/deployed-cds-clients';
import { readServiceConfig } from '../../functions/adapters/config';
import { createDynamoClient } from '../../functions/adapters/dynamodb/client';
import { startEmbeddedDynamo } from '../../functions/adapters/dynamodb/embedded';
import { DynamoRuleStore } from '../../functions/adapters/dynamodb/rule-store';
import { ensureTables, tableNames } from '../../functions/adapters/dynamodb/tables';
import type { Log, Metrics } from '../../functions/core/ports';
import { createCdsClientKey, signCdsJwt } from '../../functions/dev-ehr/cds-client';
import { installBundledRuleSet, startLocalServer } from '../../functions/server/local-server';
import { apiGatewayEvent } from '../../infra/api-gateway-event';

/** One way into Tailor: the local HTTP server, or the deployed Lambda handlers fed API Gateway events. */
export interface Door {
  name: string;
  /** The base URL clients call (for the JWT `aud`). */
  url: string;
  /** API Gateway's routes in front: a method or path without a route gets the gateway's 404, never the service. */
  apiGateway: boolean;
  /** CDS clients must present a JWT (trusted clients configured). */
  authenticating: boolean;
  send(request: {
    method: string;
    path: string;
    body?: unknown;
    headers?: Record<string, string>;
  }): Promise<Reply>;
  /** The store dies while the service keeps running. */
  stopStore(): Promise<void>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

export const quietLog: Log = { info: () => {}, warn: () => {}, error: () => {} };
export const quietMetrics: Metrics = { count: () => {}, timing: () => {} };

const bodyText = (body: unknown): string | undefined =>
  body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The real local server over HTTP, store in memory. */
export async function httpDoor(env: Record<string, string> = {}): Promise<Door> {
  const config = readServiceConfig({ HOST: '127.0.0.1', PORT: '0', ...env });
  const server = await startLocalServer({ config, inMemory: true, log: quietLog, metrics: quietMetrics });
  return {
    name: 'local HTTP server',
    url: server.url,
    apiGateway: false,
    authenticating: server.authenticating,
    async send({ method, path, body, headers }) {
      const text = bodyText(body);
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...(text !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(text !== undefined ? { body: text } : {}),
      });
      const reply = await response.text();
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        text: reply,
        json: parse(reply),
      };
    },
    stopStore: () => server.stopStore(),
    close: () => server.close(),
  };
}

type Concern = 'cds-services' | 'cds-feedback' | 'smart-app-api';
type LambdaHandler = (
  event: unknown,
) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string }>;

/** The HTTP API's routes, as infra/stacks/stateless-stack.ts declares them: each to its concern's function. */
const ROUTES: [method: string, path: RegExp, concern: Concern][] = [
  ['GET', /^\/cds-services$/, 'cds-services'],
  ['OPTIONS', /^\/cds-services$/, 'cds-services'],
  ['POST', /^\/cds-services\/[^/]+$/, 'cds-services'],
  ['OPTIONS', /^\/cds-services\/.+$/, 'cds-services'],
  ['GET', /^\/health$/, 'cds-services'],
  ['POST', /^\/cds-services\/[^/]+\/feedback$/, 'cds-feedback'],
  ['ANY', /^\/api\/.+$/, 'smart-app-api'],
];

const routeOf = (method: string, path: string): Concern | undefined =>
  ROUTES.find(([m, p]) => (m === 'ANY' || m === method) && p.test(path))?.[2];

/**
 * The three deployed Lambda handlers behind API Gateway's routes, each imported fresh with the environment
 * it has in AWS (trusted CDS clients, audit secret, SMART issuers), against dynalite. The door is the EHR
 * too: a CDS call without an Authorization header of the test's own gets a freshly signed client JWT.
 */
export async function lambdaDoor(env: Record<string, string> = {}): Promise<Door> {
  const store = await startEmbeddedDynamo({ dataDir: null });
  const client = createDynamoClient({ endpoint: store.endpoint });
  const prefix = `lambda${randomBytes(3).toString('hex')}`;
  const names = tableNames(prefix);
  await ensureTables(client, names);
  await installBundledRuleSet(new DynamoRuleStore({ client, tableName: names.rules }));
  const publicUrl = 'https://cds.tailor.test';
  const ehr = 'https://ehr.tailor.test';
  const key = await createCdsClientKey();
  const dir = await mkdtemp(join(tmpdir(), 'tailor-lambda-door-'));
  const clientsFile = join(dir, 'cds-clients.json');
  // As CDK does: the file checked with the full schema, then given to the functions with its checksum.
  const clientsText = JSON.stringify({ clients: [{ iss: ehr, jwks: { keys: [key.publicJwk] } }] });
  expect(parseCdsClients(JSON.parse(clientsText)).errors).toEqual([]);
  await writeFile(clientsFile, clientsText);
  const saved = { ...process.env };
  Object.assign(process.env, {
    TAILOR_DYNAMODB_ENDPOINT: store.endpoint,
    TAILOR_TABLE_PREFIX: prefix,
    TAILOR_AUDIT_SECRET: randomBytes(24).toString('hex'),
    TAILOR_CDS_CLIENTS: clientsFile,
    TAILOR_CDS_CLIENTS_SHA256: cdsClientsSha256(clientsText),
    TAILOR_PUBLIC_URL: publicUrl,
    TAILOR_SMART_ISSUERS: ehr,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...env,
  });
  // Fresh module instances: each handler reads its configuration once, at import (a cold start).
  vi.resetModules();
  const handlers: Record<Concern, LambdaHandler> = {
    'cds-services': ((await import('../../functions/handlers/cds-services')) as { handler: LambdaHandler })
      .handler,
    'cds-feedback': ((await import('../../functions/handlers/cds-feedback')) as { handler: LambdaHandler })
      .handler,
    'smart-app-api': ((await import('../../functions/handlers/smart-app-api')) as { handler: LambdaHandler })
      .handler,
  };
  process.env = saved;
  return {
    name: 'Lambda handlers',
    url: publicUrl,
    apiGateway: true,
    authenticating: true,
    async send({ method, path, body, headers = {} }) {
      const concern = routeOf(method, path);
      // No route: API Gateway answers itself, no function is called.
      if (!concern) return { status: 404, headers: {}, text: NOT_FOUND, json: parse(NOT_FOUND) };
      const ownAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
      const signs = concern !== 'smart-app-api' && method !== 'OPTIONS' && path.startsWith('/cds-services');
      const authorization: Record<string, string> =
        signs && !ownAuthorization
          ? { authorization: `Bearer ${await signCdsJwt(key, ehr, `${publicUrl}${path}`)}` }
          : {};
      const text = bodyText(body);
      const event = apiGatewayEvent(
        {
          method,
          path,
          ...(text !== undefined ? { body: text } : {}),
          headers: { ...authorization, ...headers },
        },
        'cds.tailor.test',
      );
      const result = await handlers[concern](event);
      const lower = Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
      );
      return { status: result.statusCode, headers: lower, text: result.body, json: parse(result.body) };
    },
    stopStore: () => store.close(),
    async close() {
      client.destroy();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** API Gateway's own answer when no route matches. */
const NOT_FOUND = '{"message":"Not Found"}';
