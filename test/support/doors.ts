import { randomBytes } from 'node:crypto';
import { vi } from 'vitest';
import { readServiceConfig } from '../../functions/adapters/config';
import { createDynamoClient } from '../../functions/adapters/dynamodb/client';
import { startEmbeddedDynamo } from '../../functions/adapters/dynamodb/embedded';
import { DynamoRuleStore } from '../../functions/adapters/dynamodb/rule-store';
import { ensureTables, tableNames } from '../../functions/adapters/dynamodb/tables';
import type { Log, Metrics } from '../../functions/core/ports';
import { installBundledRuleSet, startLocalServer } from '../../functions/server/local-server';

/** One way into Tailor: the local HTTP server, or the Lambda handler fed API Gateway events. */
export interface Door {
  name: string;
  /** The base URL clients call (for the JWT `aud`). */
  url: string;
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

/** The Lambda handler module, imported fresh with its environment, against dynalite. */
export async function lambdaDoor(env: Record<string, string> = {}): Promise<Door> {
  const store = await startEmbeddedDynamo({ dataDir: null });
  const client = createDynamoClient({ endpoint: store.endpoint });
  const prefix = `lambda${randomBytes(3).toString('hex')}`;
  const names = tableNames(prefix);
  await ensureTables(client, names);
  await installBundledRuleSet(new DynamoRuleStore({ client, tableName: names.rules }));
  const publicUrl = 'https://cds.tailor.test';
  const saved = { ...process.env };
  Object.assign(process.env, {
    TAILOR_DYNAMODB_ENDPOINT: store.endpoint,
    TAILOR_TABLE_PREFIX: prefix,
    TAILOR_AUDIT_SECRET: randomBytes(24).toString('hex'),
    TAILOR_PUBLIC_URL: publicUrl,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...env,
  });
  // A fresh module instance: the handler reads its configuration once, at import (a cold start).
  vi.resetModules();
  const module = (await import('../../functions/handlers/cds-hooks')) as {
    handler: (
      event: unknown,
    ) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string }>;
  };
  process.env = saved;
  return {
    name: 'Lambda handler',
    url: publicUrl,
    async send({ method, path, body, headers }) {
      const text = bodyText(body);
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: '',
        headers: {
          host: 'cds.tailor.test',
          ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: text ?? null,
        isBase64Encoded: false,
        requestContext: {
          accountId: '123456789012',
          apiId: 'api',
          domainName: 'cds.tailor.test',
          domainPrefix: 'cds',
          http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
          requestId: randomBytes(8).toString('hex'),
          routeKey: '$default',
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
        },
      };
      const result = await module.handler(event);
      const lower = Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
      );
      return { status: result.statusCode, headers: lower, text: result.body, json: parse(result.body) };
    },
    stopStore: () => store.close(),
    async close() {
      client.destroy();
      await store.close();
    },
  };
}
