import type { Context } from 'hono';

/** Every answer the HTTP layer gives, as a value; respond() is the one place that turns it into HTTP. */
export type HttpOutcome =
  | { kind: 'json'; status: 200; body: unknown }
  | { kind: 'problem'; status: 400 | 404 | 412 | 500; problem: string }
  | { kind: 'unauthorized' }
  | { kind: 'too-large' }
  | { kind: 'method-not-allowed'; allow: string };

/** FHIR OperationOutcome: what CDS clients expect an error body to be. Never a stack trace. */
function operationOutcome(code: string, diagnostics: string) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}

const ISSUE_CODE: Record<number, string> = {
  400: 'invalid',
  404: 'not-found',
  412: 'incomplete',
  500: 'exception',
};

export function respond(c: Context, outcome: HttpOutcome): Response {
  switch (outcome.kind) {
    case 'json':
      return c.json(outcome.body as object, outcome.status);
    case 'problem':
      return c.json(
        operationOutcome(ISSUE_CODE[outcome.status] ?? 'processing', outcome.problem),
        outcome.status,
      );
    case 'unauthorized':
      // No detail: a rejected caller learns nothing about why.
      return c.json(operationOutcome('login', 'unauthorized'), 401, { 'WWW-Authenticate': 'Bearer' });
    case 'too-large':
      return c.json(operationOutcome('too-costly', 'the request body is larger than 5 MB'), 413);
    case 'method-not-allowed':
      return c.json(operationOutcome('not-supported', 'method not allowed'), 405, { Allow: outcome.allow });
  }
}
