import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { IdTokenVerifier } from '../adapters/auth/smart-id-token';
import { receiveFeedback } from '../core/cds/feedback';
import { type CdsDependencies, invokeService } from '../core/cds/invoke';
import { SERVICES } from '../core/cds/services';
import type { FeedbackStore } from '../core/ports';
import { mountAppApi } from './app-api';
import { type HttpOutcome, respond } from './outcome';

/** Verifies the CDS client's JWT for the URL called; absent when the server runs in development mode. */
export type Authenticate = (request: {
  authorization: string | undefined;
  url: string;
}) => Promise<{ ok: true; tenant?: string } | { ok: false; reason: string }>;

export interface AppDependencies extends CdsDependencies {
  feedback: FeedbackStore;
  authenticate?: Authenticate;
  /**
   * The public base URL the EHR calls (e.g. https://cds.hospital.example), for the JWT `aud` check behind
   * API Gateway or a proxy. Without it the request's own URL is used.
   */
  publicBaseUrl?: string;
  maxBodyBytes?: number;
  /** Verifies the SMART app's id_token for /api; absent = no SMART issuer configured, every app call refused. */
  verifyIdToken?: IdTokenVerifier;
}

const FIVE_MB = 5 * 1024 * 1024;

/**
 * The CDS Hooks routes, one app for both doors: the Lambda handler and the local server. Every answer,
 * including errors, goes through respond() so status codes and bodies are decided in one place.
 */
export function createCdsApp(deps: AppDependencies): Hono {
  const app = new Hono();
  app.use(
    '/cds-services/*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    }),
  );
  app.use(
    '/cds-services',
    cors({ origin: '*', allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['Authorization', 'Content-Type'] }),
  );

  // JWT on every CDS endpoint when trusted clients are configured; 401 carries no detail.
  const authenticated = async (c: Context): Promise<{ ok: boolean; tenant?: string }> => {
    if (!deps.authenticate) return { ok: false };
    const result = await deps.authenticate({
      authorization: c.req.header('authorization'),
      url: calledUrl(c, deps),
    });
    if (!result.ok) {
      deps.log.warn('cds client rejected', { reason: result.reason, path: c.req.path });
      deps.metrics.count('AuthRejected', 1);
      return { ok: false };
    }
    return result.tenant ? { ok: true, tenant: result.tenant } : { ok: true };
  };
  const guard = async (c: Context): Promise<HttpOutcome | { tenant?: string; ok: true }> => {
    if (!deps.authenticate) return { ok: true };
    const auth = await authenticated(c);
    if (!auth.ok) return { kind: 'unauthorized' };
    return auth.tenant ? { ok: true, tenant: auth.tenant } : { ok: true };
  };
  const limit = bodyLimit({
    maxSize: deps.maxBodyBytes ?? FIVE_MB,
    onError: (c) => respond(c, { kind: 'too-large' }),
  });

  app.get('/cds-services', async (c) => {
    const auth = await guard(c);
    if (!('ok' in auth)) return respond(c, auth);
    return respond(c, { kind: 'json', status: 200, body: { services: SERVICES } });
  });

  app.post('/cds-services/:id', limit, async (c) => {
    const auth = await guard(c);
    if (!('ok' in auth)) return respond(c, auth);
    const body = await jsonBody(c);
    if (body === INVALID)
      return respond(c, { kind: 'problem', status: 400, problem: 'the body is not valid JSON' });
    const outcome = await invokeService(
      c.req.param('id'),
      body,
      { authenticated: Boolean(deps.authenticate), ...(auth.tenant ? { tenant: auth.tenant } : {}) },
      deps,
    );
    return outcome.kind === 'cards'
      ? respond(c, { kind: 'json', status: 200, body: { cards: outcome.cards } })
      : respond(c, { kind: 'problem', status: outcome.status, problem: outcome.problem });
  });

  app.post('/cds-services/:id/feedback', limit, async (c) => {
    const auth = await guard(c);
    if (!('ok' in auth)) return respond(c, auth);
    const body = await jsonBody(c);
    if (body === INVALID)
      return respond(c, { kind: 'problem', status: 400, problem: 'the body is not valid JSON' });
    const outcome = await receiveFeedback(c.req.param('id'), body, deps);
    return outcome.kind === 'stored'
      ? respond(c, {
          kind: 'json',
          status: 200,
          body: { stored: outcome.stored, duplicates: outcome.duplicates },
        })
      : respond(c, { kind: 'problem', status: outcome.status, problem: outcome.problem });
  });

  // The CDS paths exist but not for this method: 405 with Allow, rather than 404.
  app.on(['PUT', 'PATCH', 'DELETE'], '/cds-services', (c) =>
    respond(c, { kind: 'method-not-allowed', allow: 'GET, OPTIONS' }),
  );
  app.on(['GET', 'PUT', 'PATCH', 'DELETE'], ['/cds-services/:id', '/cds-services/:id/feedback'], (c) =>
    respond(c, { kind: 'method-not-allowed', allow: 'POST, OPTIONS' }),
  );
  // The SMART app's API (/api/*): id_token required, always.
  mountAppApi(app, {
    ruleSets: deps.ruleSets,
    log: deps.log,
    metrics: deps.metrics,
    clock: deps.clock,
    ids: deps.ids,
    audit: deps.audit,
    pseudonymise: deps.pseudonymise,
    ...(deps.verifyIdToken ? { verifyIdToken: deps.verifyIdToken } : {}),
    ...(deps.maxBodyBytes ? { maxBodyBytes: deps.maxBodyBytes } : {}),
  });
  app.get('/health', (c) => respond(c, { kind: 'json', status: 200, body: { status: 'ok' } }));
  app.notFound((c) => respond(c, { kind: 'problem', status: 404, problem: 'not found' }));
  app.onError((error, c) => {
    deps.log.error('unhandled error', { error: error.name, path: c.req.path });
    deps.metrics.count('UnhandledError', 1);
    return respond(c, { kind: 'problem', status: 500, problem: 'internal error' });
  });
  return app;
}

const INVALID = Symbol('invalid JSON');

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text());
  } catch {
    return INVALID;
  }
}

/** The URL the client called, as the JWT `aud` must name it. */
function calledUrl(c: Context, deps: AppDependencies): string {
  if (!deps.publicBaseUrl) return c.req.url.split('?')[0] ?? c.req.url;
  return `${deps.publicBaseUrl.replace(/\/$/, '')}${c.req.path}`;
}
