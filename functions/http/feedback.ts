import type { Hono } from 'hono';
import { receiveFeedback } from '../core/cds/feedback';
import type { AcknowledgementStore, AuditStore, Clock, FeedbackStore } from '../core/ports';
import {
  type CdsHttpDependencies,
  cdsBodyLimit,
  cdsCors,
  cdsGuard,
  INVALID_JSON,
  jsonBody,
} from './cds-common';
import { respond } from './outcome';

export interface FeedbackDependencies extends CdsHttpDependencies {
  /** Where the card's provenance is read from. */
  audit: AuditStore;
  feedback: FeedbackStore;
  clock: Clock;
  /** Dismissals of order-select cards, for order-sign; absent: none are recorded. */
  acknowledgements?: Pick<AcknowledgementStore, 'acknowledge'>;
}

const FEEDBACK = '/cds-services/:id/feedback';

/** CDS Hooks feedback: POST /cds-services/{id}/feedback, under the same client JWT as the service calls. */
export function mountFeedback(app: Hono, deps: FeedbackDependencies): void {
  // Preflights are answered by the services' routes; the answer itself still needs its CORS headers.
  app.use(FEEDBACK, cdsCors(['GET', 'POST', 'OPTIONS'], 600));
  const guard = cdsGuard(deps);

  app.post(FEEDBACK, cdsBodyLimit(deps), async (c) => {
    const auth = await guard(c);
    if (!('ok' in auth)) return respond(c, auth);
    const body = await jsonBody(c);
    if (body === INVALID_JSON)
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

  app.on(['GET', 'PUT', 'PATCH', 'DELETE'], FEEDBACK, (c) =>
    respond(c, { kind: 'method-not-allowed', allow: 'POST, OPTIONS' }),
  );
}
