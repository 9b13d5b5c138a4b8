import type { Hono } from 'hono';
import { type CdsDependencies, invokeService } from '../core/cds/invoke';
import { SERVICES } from '../core/cds/services';
import {
  type CdsHttpDependencies,
  cdsBodyLimit,
  cdsCors,
  cdsGuard,
  INVALID_JSON,
  jsonBody,
} from './cds-common';
import { respond } from './outcome';

export interface CdsServicesDependencies extends CdsDependencies, CdsHttpDependencies {}

/**
 * The CDS Hooks services: discovery, the service calls, their CORS preflights (feedback's too: API Gateway
 * sends every OPTIONS under /cds-services here), the 405s, and /health.
 */
export function mountCdsServices(app: Hono, deps: CdsServicesDependencies): void {
  app.use('/cds-services/*', cdsCors(['GET', 'POST', 'OPTIONS'], 600));
  app.use('/cds-services', cdsCors(['GET', 'OPTIONS']));
  const guard = cdsGuard(deps);

  app.get('/cds-services', async (c) => {
    const auth = await guard(c);
    if (!('ok' in auth)) return respond(c, auth);
    return respond(c, { kind: 'json', status: 200, body: { services: SERVICES } });
  });

  app.post('/cds-services/:id', cdsBodyLimit(deps), async (c) => {
    const auth = await guard(c);
    if (!('ok' in auth)) return respond(c, auth);
    const body = await jsonBody(c);
    if (body === INVALID_JSON)
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

  // The CDS paths exist but not for this method: 405 with Allow, rather than 404.
  app.on(['PUT', 'PATCH', 'DELETE'], '/cds-services', (c) =>
    respond(c, { kind: 'method-not-allowed', allow: 'GET, OPTIONS' }),
  );
  app.on(['GET', 'PUT', 'PATCH', 'DELETE'], '/cds-services/:id', (c) =>
    respond(c, { kind: 'method-not-allowed', allow: 'POST, OPTIONS' }),
  );
  app.get('/health', (c) => respond(c, { kind: 'json', status: 200, body: { status: 'ok' } }));
}
