import type { ErrorObject } from 'ajv/dist/2020';
import { validateCdsRequest } from '../precompiled/cds-request-validator';
import type { Hook, ServiceDefinition } from './services';

/** A CDS Hooks 2.0 service request, as far as Tailor reads it. */
export interface CdsRequest {
  hook: string;
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: {
    access_token: string;
    token_type: string;
    expires_in: number;
    scope: string;
    subject: string;
    patient?: string;
  };
  context: {
    userId?: string;
    patientId: string;
    encounterId?: string;
    selections?: string[];
    draftOrders?: { resourceType: 'Bundle'; entry?: { resource?: unknown; fullUrl?: string }[] };
  };
  prefetch?: Record<string, unknown>;
  extension?: Record<string, unknown>;
}

const nonEmpty = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const bundle = {
  type: 'object',
  required: ['resourceType'],
  properties: {
    resourceType: { const: 'Bundle' },
    entry: { type: 'array', items: { type: 'object' } },
  },
} as const;

// Our own reading of CDS Hooks 2.0 "Calling a CDS Service" and the hook definitions (patient-view 1.0,
// order-select and order-sign 1.x). Unknown members are allowed: EHRs send extra ones.
export const requestSchema = {
  type: 'object',
  required: ['hook', 'hookInstance', 'context'],
  properties: {
    hook: nonEmpty,
    hookInstance: nonEmpty,
    // Parsed as a URL by checkRequest (WHATWG URL, as fetch will read it).
    fhirServer: { type: 'string', pattern: '^https?://' },
    fhirAuthorization: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'scope', 'subject'],
      properties: {
        access_token: nonEmpty,
        token_type: { const: 'Bearer' },
        expires_in: { type: 'integer', minimum: 0 },
        scope: { type: 'string' },
        subject: { type: 'string' },
        patient: { type: 'string' },
      },
    },
    context: {
      type: 'object',
      required: ['patientId'],
      properties: {
        userId: {
          type: 'string',
          pattern: '^(Practitioner|PractitionerRole|Patient|RelatedPerson)/[^/\\s]+$',
        },
        patientId: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9\\-.]+$' },
        encounterId: { type: 'string', minLength: 1, maxLength: 256 },
        selections: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z]+/[^/\\s]+$' } },
        draftOrders: bundle,
      },
    },
    prefetch: { type: 'object', additionalProperties: { anyOf: [{ type: 'object' }, { type: 'null' }] } },
    extension: { type: 'object' },
  },
  dependentRequired: { fhirAuthorization: ['fhirServer'] },
} as const;

/** What each hook's context must hold, beyond patientId. */
const CONTEXT_REQUIREMENTS: Record<Hook, string[]> = {
  'patient-view': ['userId'],
  'order-select': ['userId', 'selections', 'draftOrders'],
  'order-sign': ['userId', 'draftOrders'],
};

// Compiled ahead of time from requestSchema (infra/precompile-validators.ts): no Ajv compiler at cold start.
const requestValidator = () => validateCdsRequest;

export type RequestCheck = { ok: true; request: CdsRequest } | { ok: false; problem: string };

/**
 * Validates a parsed body for one service: shape, the hook, and what that hook's context must hold. With
 * requireHttpsFhirServer (production: trusted CDS clients configured) a plain-http fhirServer is refused.
 */
export function checkRequest(
  body: unknown,
  service: ServiceDefinition,
  options: { requireHttpsFhirServer?: boolean } = {},
): RequestCheck {
  const validate = requestValidator();
  if (!validate(body)) return { ok: false, problem: describe(validate.errors) };
  const request = body as unknown as CdsRequest;
  if (request.fhirServer !== undefined && !URL.canParse(request.fhirServer)) {
    return { ok: false, problem: 'fhirServer must be an absolute http(s) URL' };
  }
  if (options.requireHttpsFhirServer && request.fhirServer && !secureOrLocal(request.fhirServer)) {
    // The EHR's access token would travel in clear: CDS Hooks requires https for real patient data.
    return { ok: false, problem: 'fhirServer must use https (plain http only on a loopback address)' };
  }
  if (request.hook !== service.hook) {
    return {
      ok: false,
      problem: `service ${service.id} answers the ${service.hook} hook, not "${request.hook}"`,
    };
  }
  const missing = CONTEXT_REQUIREMENTS[service.hook].filter(
    (key) => (request.context as Record<string, unknown>)[key] === undefined,
  );
  if (missing.length > 0)
    return { ok: false, problem: `context.${missing[0]} is required for ${service.hook}` };
  if (service.hook === 'order-select' && (request.context.selections ?? []).length === 0) {
    return { ok: false, problem: 'context.selections must name at least one draft order' };
  }
  return { ok: true, request };
}

function secureOrLocal(server: string): boolean {
  try {
    const url = new URL(server);
    return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

/** The first, most specific problem, phrased for an integrator: "where: what". */
function describe(errors: ErrorObject[] | null | undefined): string {
  const error = (errors ?? []).find((e) => e.keyword !== 'anyOf') ?? errors?.[0];
  if (!error) return 'the request is not a valid CDS Hooks request';
  const where = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : 'request';
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty?: string }).missingProperty;
    return `${where === 'request' ? '' : `${where}.`}${missing} is required`;
  }
  if (error.keyword === 'dependentRequired') return 'fhirServer is required when fhirAuthorization is given';
  return `${where} ${error.message ?? 'is invalid'}`;
}
