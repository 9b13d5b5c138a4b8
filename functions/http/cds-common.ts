import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Log, Metrics } from '../core/ports';
import { type HttpOutcome, respond } from './outcome';

/** Verifies the CDS client's JWT for the URL called; absent when the server runs in development mode. */
export type Authenticate = (request: {
  authorization: string | undefined;
  url: string;
}) => Promise<{ ok: true; tenant?: string } | { ok: false; reason: string }>;

/** What the CDS Hooks routes (services and feedback) share: the client JWT check and the body limit. */
export interface CdsHttpDependencies {
  log: Log;
  metrics: Metrics;
  authenticate?: Authenticate;
  /**
   * The public base URL the EHR calls (e.g. https://cds.hospital.example), for the JWT `aud` check behind
   * API Gateway or a proxy. Without it the request's own URL is used.
   */
  publicBaseUrl?: string;
  maxBodyBytes?: number;
}

/** The caller let through: everyone in development mode, a verified client (and its tenant) otherwise. */
export type Admitted = { ok: true; tenant?: string };

const FIVE_MB = 5 * 1024 * 1024;

/** EHRs call from the browser too (CDS Hooks sandboxes): any origin, bearer tokens only. */
export const cdsCors = (allowMethods: string[], maxAge?: number): MiddlewareHandler =>
  cors({
    origin: '*',
    allowMethods,
    allowHeaders: ['Authorization', 'Content-Type'],
    ...(maxAge ? { maxAge } : {}),
  });

/** JWT on every CDS endpoint when trusted clients are configured; a 401 carries no detail. */
export function cdsGuard(deps: CdsHttpDependencies): (c: Context) => Promise<HttpOutcome | Admitted> {
  return async (c) => {
    if (!deps.authenticate) return { ok: true };
    const result = await deps.authenticate({
      authorization: c.req.header('authorization'),
      url: calledUrl(c, deps),
    });
    if (!result.ok) {
      deps.log.warn('cds client rejected', { reason: result.reason, path: c.req.path });
      deps.metrics.count('AuthRejected', 1);
      return { kind: 'unauthorized' };
    }
    return result.tenant ? { ok: true, tenant: result.tenant } : { ok: true };
  };
}

export const cdsBodyLimit = (deps: CdsHttpDependencies): MiddlewareHandler =>
  bodyLimit({
    maxSize: deps.maxBodyBytes ?? FIVE_MB,
    onError: (c) => respond(c, { kind: 'too-large' }),
  });

export const INVALID_JSON = Symbol('invalid JSON');

export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text());
  } catch {
    return INVALID_JSON;
  }
}

/** The URL the client called, as the JWT `aud` must name it. */
function calledUrl(c: Context, deps: CdsHttpDependencies): string {
  if (!deps.publicBaseUrl) return c.req.url.split('?')[0] ?? c.req.url;
  return `${deps.publicBaseUrl.replace(/\/$/, '')}${c.req.path}`;
}
