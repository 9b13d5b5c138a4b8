import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import type { AuthServer, TokenInfo } from './auth-server';
import { FhirStore, PATIENT_COMPARTMENT, type Resource, referenceId, SUPPORTED_TYPES } from './fhir-store';
import { accessFor, type Interaction, SMART_RESOURCE_TYPES } from './smart-scopes';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const DEFAULT_COUNT = 100;
const MAX_COUNT = 500;

export interface FhirApiOptions {
  store: FhirStore;
  fhirBaseUrl: string;
  auth: AuthServer;
}

/**
 * The EHR's FHIR R4 endpoint (read and search, JSON), behind bearer tokens from its own authorization server.
 * Patient-level tokens see only their patient's compartment; user-level tokens see every patient.
 */
export function createFhirApi({ store, fhirBaseUrl, auth }: FhirApiOptions): Hono {
  const app = new Hono();
  app.use(
    '*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'Accept', 'Prefer'],
      maxAge: 600,
    }),
  );

  app.get('/.well-known/smart-configuration', (c) => c.json(auth.smartConfiguration()));
  app.get('/metadata', (c) => fhir(c, 200, capabilityStatement(fhirBaseUrl, auth)));

  app.get('/:type/:id', async (c) => {
    const { type, id } = c.req.param();
    if (!SUPPORTED_TYPES.includes(type))
      return outcome(c, 404, 'not-supported', `${type} is not served here`);
    const token = await bearer(c, auth);
    if (!token) return unauthorized(c);
    const resource = store.read(type, id);
    const level = levelFor(token, type, 'read', id);
    if (level === 'none')
      return outcome(c, 403, 'forbidden', `the token's scopes do not allow reading ${type}`);
    if (!resource) return outcome(c, 404, 'not-found', `${type}/${id} is not known`);
    if (
      level === 'patient' &&
      PATIENT_COMPARTMENT.has(type) &&
      FhirStore.patientOf(resource) !== token.patient
    )
      return outcome(c, 403, 'forbidden', "the token is for another patient's record");
    return fhir(c, 200, resource);
  });

  app.get('/:type', async (c) => {
    const { type } = c.req.param();
    if (!SUPPORTED_TYPES.includes(type))
      return outcome(c, 404, 'not-supported', `${type} is not served here`);
    const token = await bearer(c, auth);
    if (!token) return unauthorized(c);
    const level = levelFor(token, type, 'search');
    if (level === 'none')
      return outcome(c, 403, 'forbidden', `the token's scopes do not allow searching ${type}`);
    const url = new URL(c.req.url);
    const params = new Map<string, string[]>();
    for (const [name, value] of url.searchParams) params.set(name, [...(params.get(name) ?? []), value]);
    let results: Resource[];
    if (level === 'patient' && PATIENT_COMPARTMENT.has(type)) {
      const asked = [...(params.get('patient') ?? []), ...(params.get('subject') ?? [])]
        .flatMap((v) => v.split(','))
        .map((v) => referenceId(v, 'Patient'));
      if (asked.some((id) => id !== token.patient))
        return outcome(c, 403, 'forbidden', "the token is for another patient's record");
      results = store.search(type, params).filter((r) => FhirStore.patientOf(r) === token.patient);
    } else {
      results = store.search(type, params);
    }
    const count = clamp(Number(url.searchParams.get('_count') ?? DEFAULT_COUNT), 1, MAX_COUNT);
    const offset = Math.max(0, Math.trunc(Number(url.searchParams.get('_offset') ?? 0)) || 0);
    return fhir(c, 200, searchset(fhirBaseUrl, type, params, results, count, offset));
  });

  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], ['/', '/:type', '/:type/:id'], (c) => {
    c.header('Allow', 'GET, OPTIONS');
    return outcome(c, 405, 'not-supported', 'this FHIR server is read-only');
  });
  app.notFound((c) => outcome(c, 404, 'not-found', 'not found'));
  return app;
}

function levelFor(
  token: TokenInfo,
  type: string,
  interaction: Interaction,
  id?: string,
): 'user' | 'patient' | 'none' {
  const level = accessFor(token.scopes, type, interaction);
  // The signed-in user may always read their own Practitioner record (SMART fhirUser).
  if (level === 'none' && type === 'Practitioner' && id !== undefined && id === token.accountId) {
    if (token.scopes.has('fhirUser') || token.scopes.has('openid')) return 'user';
  }
  if (level === 'patient' && PATIENT_COMPARTMENT.has(type) && !token.patient) return 'none';
  return level;
}

async function bearer(c: Context, auth: AuthServer): Promise<TokenInfo | undefined> {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ? auth.validateAccessToken(match[1]) : undefined;
}

function unauthorized(c: Context): Response {
  c.header('WWW-Authenticate', 'Bearer realm="development-ehr", error="invalid_token"');
  return outcome(c, 401, 'login', 'a valid bearer access token from this EHR is required');
}

function fhir(c: Context, status: 200 | 400 | 401 | 403 | 404 | 405, body: unknown): Response {
  c.header('Content-Type', FHIR_JSON);
  c.header('Cache-Control', 'no-store');
  return c.body(JSON.stringify(body), status);
}

function outcome(
  c: Context,
  status: 400 | 401 | 403 | 404 | 405,
  code: string,
  diagnostics: string,
): Response {
  return fhir(c, status, {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, diagnostics }],
  });
}

const clamp = (n: number, min: number, max: number) =>
  Number.isFinite(n) ? Math.min(max, Math.max(min, Math.trunc(n))) : max;

function searchset(
  base: string,
  type: string,
  params: ReadonlyMap<string, readonly string[]>,
  results: readonly Resource[],
  count: number,
  offset: number,
): Record<string, unknown> {
  const applied = new URLSearchParams();
  for (const [name, values] of params)
    if (FhirStore.isSearchParam(type, name)) for (const value of values) applied.append(name, value);
  const link = (at: number) => {
    const query = new URLSearchParams(applied);
    query.set('_count', String(count));
    if (at > 0) query.set('_offset', String(at));
    return `${base}/${type}?${query}`;
  };
  const page = results.slice(offset, offset + count);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: results.length,
    link: [
      { relation: 'self', url: link(offset) },
      ...(offset + count < results.length ? [{ relation: 'next', url: link(offset + count) }] : []),
    ],
    entry: page.map((resource) => ({
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

function capabilityStatement(base: string, auth: AuthServer): Record<string, unknown> {
  const smart = auth.smartConfiguration();
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-04-20',
    kind: 'instance',
    software: { name: 'Tailor development EHR' },
    implementation: { description: 'Development EHR (synthetic patients only)', url: base },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: {
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'SMART-on-FHIR',
                },
              ],
            },
          ],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [
                { url: 'authorize', valueUri: smart.authorization_endpoint },
                { url: 'token', valueUri: smart.token_endpoint },
              ],
            },
          ],
        },
        resource: SMART_RESOURCE_TYPES.map((type) => ({
          type,
          interaction: [{ code: 'read' }, { code: 'search-type' }],
        })),
      },
    ],
  };
}
