import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { ConfigurationError, isLoopback, type ServiceConfig } from '../adapters/config';
import { createDynamoClient } from '../adapters/dynamodb/client';
import { startEmbeddedDynamo } from '../adapters/dynamodb/embedded';
import { ensureTables, tableNames } from '../adapters/dynamodb/tables';
import { readRulesDirectory } from '../adapters/files/rules-directory';
import type { FhirSourceFactory, Log, Metrics, RuleStore } from '../core/ports';
import { parseKnowledgeBase } from '../core/ruleset/knowledge-base';
import { validateKnowledgeBase } from '../core/ruleset/validate';
import { composeService } from './compose';

export interface LocalServer {
  url: string;
  /** The embedded store's endpoint (for the tailor CLI: --endpoint). */
  storeEndpoint: string;
  ruleStore: RuleStore;
  authenticating: boolean;
  /** What happened to the bundled rule set at start. */
  bootstrap: string;
  /** Stops the HTTP server, then the embedded store. */
  close(): Promise<void>;
  /** Stops only the embedded store (tests: the store dies while the service runs). */
  stopStore(): Promise<void>;
}

export interface LocalServerOptions {
  config: ServiceConfig;
  /** Keep the store in memory instead of under config.dataDir (tests). */
  inMemory?: boolean;
  log?: Log;
  metrics?: Metrics;
  fhir?: FhirSourceFactory;
}

export const BOOTSTRAP_PUBLISHER = 'tailor start (bundled rules)';
export const BOOTSTRAP_APPROVER = 'tailor start (bundled rules, reviewed in the repository)';

/**
 * The local door: the three concerns the Lambda handlers serve one each, on one app (compose.ts), on an
 * embedded DynamoDB-API store (dynalite), with the bundled rule set installed and activated on first start.
 * Without trusted CDS clients it runs in development mode, which is refused on anything but a loopback address.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { config } = options;
  if (!config.cdsClientsFile && !isLoopback(config.host)) {
    throw new ConfigurationError(
      `HOST=${config.host} is not a loopback address: without TAILOR_CDS_CLIENTS (trusted CDS clients) the server only listens on 127.0.0.1`,
    );
  }
  const store = await startEmbeddedDynamo({
    dataDir: options.inMemory ? null : join(config.dataDir, 'dynalite'),
  });
  try {
    const client = createDynamoClient({ endpoint: store.endpoint });
    await ensureTables(client, tableNames(config.tablePrefix));
    const composed = await composeService({
      config,
      client,
      auditSecret: options.inMemory ? randomBytes(32).toString('hex') : await localSecret(config.dataDir),
      ...(options.log ? { log: options.log } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.fhir ? { fhir: options.fhir } : {}),
    });
    const bootstrap = await installBundledRuleSet(composed.ruleStore);
    const appFiles = smartAppFiles(config);
    const server = serve({
      fetch: (request, env) =>
        /^\/app(?:\/|$)/.test(new URL(request.url).pathname)
          ? appFiles.fetch(request, env)
          : composed.app.fetch(request, env),
      hostname: config.host,
      port: config.port,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}`,
      storeEndpoint: store.endpoint,
      ruleStore: composed.ruleStore,
      authenticating: composed.authenticating,
      bootstrap,
      stopStore: () => store.close(),
      close() {
        closing ??= (async () => {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          });
          client.destroy();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * The built SMART app under /app/ (npm run build:app), with its run-time configuration at /app/config.json.
 * In AWS the app is hosted apart (S3 + CloudFront) with the same headers.
 */
function smartAppFiles(config: ServiceConfig): Hono {
  const ehrOrigins = [...new Set(config.smartIssuers.map((iss) => new URL(iss).origin))].join(' ');
  const files = new Hono();
  files.use('/app/*', async (c, next) => {
    await next();
    c.header(
      'Content-Security-Policy',
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${ehrOrigins}; frame-ancestors 'self' ${ehrOrigins}; base-uri 'none'; object-src 'none'; form-action 'self'`,
    );
    // The redirect URL carries the authorization code: never send it on as a referrer.
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
  });
  files.get('/app', (c) => c.redirect('/app/'));
  files.get('/app/config.json', (c) => c.json({ clientId: config.smartClientId }));
  // Made on first use, so a server started before the build serves the app once it is built.
  let statics: ReturnType<typeof serveStatic> | undefined;
  files.use('/app/*', (c, next) => {
    statics ??= serveStatic({ root: config.smartAppDir, rewriteRequestPath: (p) => p.slice(4) });
    return statics(c, next);
  });
  files.notFound((c) =>
    c.text('Not found. Is the SMART app built? Run: npm run build:app', 404, {
      'Content-Type': 'text/plain; charset=utf-8',
    }),
  );
  return files;
}

/** First start: publish, approve and activate the bundled rules. Later starts leave the active version alone. */
export async function installBundledRuleSet(store: RuleStore): Promise<string> {
  const active = await store.active();
  const files = await readRulesDirectory();
  // Stored versions are trusted on load (their hash is verified), so they are validated here, once, in full.
  const parsed = parseKnowledgeBase(files);
  const { kb } = parsed;
  const problems = [...parsed.problems, ...validateKnowledgeBase(kb)];
  if (active) {
    return active.version === kb.version
      ? `rule set ${active.version} is active`
      : `rule set ${active.version} is active (the bundled rules are ${kb.version}: publish them with tailor rules publish)`;
  }
  if (problems.length > 0)
    throw new ConfigurationError(
      `the bundled rules are invalid: ${problems[0]?.file}: ${problems[0]?.message}`,
    );
  const at = new Date().toISOString();
  const listed = await store.list();
  if (!listed.some((meta) => meta.version === kb.version)) {
    await store.publish(
      kb.version,
      files.filter((f) => !f.path.startsWith('schema/')),
      BOOTSTRAP_PUBLISHER,
      at,
      'installed on first start',
    );
  }
  const meta = (await store.list()).find((m) => m.version === kb.version);
  if (meta?.state === 'published')
    await store.approve(kb.version, BOOTSTRAP_APPROVER, at, 'bundled rules, reviewed in the repository');
  await store.activate(kb.version, BOOTSTRAP_PUBLISHER, at, 'first start: bundled rule set');
  return `rule set ${kb.version} installed and activated (first start)`;
}

/** The audit HMAC secret of a local installation: made once, kept beside the data. */
async function localSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, 'audit-secret');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    await writeFile(path, secret, { mode: 0o600 });
    return secret;
  }
}
