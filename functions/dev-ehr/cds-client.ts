import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type KeyObject, SignJWT } from 'jose';
import type { ServiceAuthorization } from './auth-server';
import { type FhirStore, type Resource, SUPPORTED_TYPES } from './fhir-store';

export type OrderHook = 'order-select' | 'order-sign';

export const ORDER_SERVICE_IDS: Record<OrderHook, string> = {
  'order-select': 'tailor-order-select',
  'order-sign': 'tailor-order-sign',
};

const JWT_ALG = 'ES384';
const JWT_LIFETIME_SECONDS = 300;

/** The EHR's own CDS client key: it signs a JWT per CDS Hooks request and publishes the public half. */
export interface CdsClientKey {
  kid: string;
  privateKey: CryptoKey | KeyObject;
  publicJwk: JWK;
}

export async function createCdsClientKey(): Promise<CdsClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(JWT_ALG, { extractable: true });
  const kid = `dev-ehr-cds-${randomUUID().slice(0, 8)}`;
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: JWT_ALG, use: 'sig' } };
}

/** CDS Hooks 2.0 client JWT: `aud` is the exact URL called, five minutes of life, a fresh `jti`. */
export async function signCdsJwt(key: CdsClientKey, issuer: string, audience: string): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: JWT_ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + JWT_LIFETIME_SECONDS)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** A card as the EHR reads it: every member checked before use, since it comes from another system. */
export interface ReceivedCard {
  uuid?: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string };
  suggestions: { label: string; isRecommended: boolean }[];
  overrideReasons: string[];
  links: { label: string; url: string; type: 'absolute' | 'smart'; appContext?: string }[];
}

export type HookOutcome =
  | { kind: 'cards'; cards: ReceivedCard[]; status: number; ms: number; hookInstance: string }
  | { kind: 'unreachable'; message: string; ms: number }
  | { kind: 'error'; status: number; message: string; ms: number };

export interface OrderHookRequest {
  hook: OrderHook;
  serviceBaseUrl: string;
  patientId: string;
  encounterId?: string;
  userId: string;
  draftOrder: Resource;
  store: FhirStore;
  fhirBaseUrl: string;
  fhirAuthorization: ServiceAuthorization;
  sign: (audience: string) => Promise<string>;
  timeoutMs?: number;
}

/**
 * Sends one CDS Hooks order-select / order-sign request the way an EHR does: reads the service's discovery
 * for its prefetch templates, fills them from its own FHIR data, and posts the hook with `fhirServer` and
 * `fhirAuthorization`, each HTTP call carrying a freshly signed client JWT.
 */
export async function sendOrderHook(request: OrderHookRequest): Promise<HookOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const base = request.serviceBaseUrl.replace(/\/+$/, '');
  const serviceId = ORDER_SERVICE_IDS[request.hook];
  const timeout = request.timeoutMs ?? 10_000;
  const call = async (url: string, init: RequestInit = {}) =>
    fetch(url, {
      ...init,
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${await request.sign(url)}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      signal: AbortSignal.timeout(timeout),
    });

  let templates: Record<string, string>;
  try {
    const response = await call(`${base}/cds-services`);
    if (!response.ok)
      return { kind: 'error', status: response.status, message: await problem(response), ms: ms() };
    const discovery = (await response.json()) as {
      services?: { id?: string; prefetch?: Record<string, string> }[];
    };
    const service = discovery.services?.find((s) => s.id === serviceId);
    if (!service)
      return { kind: 'error', status: 404, message: `the service does not offer ${serviceId}`, ms: ms() };
    templates = service.prefetch ?? {};
  } catch (error) {
    return { kind: 'unreachable', message: reason(error), ms: ms() };
  }

  const context = {
    userId: request.userId,
    patientId: request.patientId,
    ...(request.encounterId ? { encounterId: request.encounterId } : {}),
    ...(request.hook === 'order-select'
      ? { selections: [`MedicationRequest/${request.draftOrder.id}`] }
      : {}),
    draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: request.draftOrder }] },
  };
  const hookInstance = randomUUID();
  const body = {
    hook: request.hook,
    hookInstance,
    fhirServer: request.fhirBaseUrl,
    fhirAuthorization: request.fhirAuthorization,
    context,
    prefetch: fillPrefetch(templates, context, request.store, request.fhirBaseUrl),
  };
  try {
    const response = await call(`${base}/cds-services/${serviceId}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    if (!response.ok)
      return { kind: 'error', status: response.status, message: await problem(response), ms: ms() };
    const answer = (await response.json()) as { cards?: unknown };
    return {
      kind: 'cards',
      cards: Array.isArray(answer.cards) ? answer.cards.flatMap(readCard) : [],
      status: response.status,
      ms: ms(),
      hookInstance,
    };
  } catch (error) {
    return { kind: 'unreachable', message: reason(error), ms: ms() };
  }
}

/**
 * Prefetch as an EHR fills it: each template's `{{context.x}}` / `{{userPractitionerId}}` tokens replaced, the
 * query run against the EHR's own data. A template it cannot fill is left out (the service may fetch it).
 */
export function fillPrefetch(
  templates: Record<string, string>,
  context: Record<string, unknown>,
  store: FhirStore,
  fhirBaseUrl: string,
): Record<string, unknown> {
  const prefetch: Record<string, unknown> = {};
  const userId = typeof context.userId === 'string' ? context.userId : '';
  const tokens: Record<string, string> = {
    userPractitionerId: userId.startsWith('Practitioner/') ? userId.slice('Practitioner/'.length) : '',
  };
  for (const [name, value] of Object.entries(context))
    if (typeof value === 'string') tokens[`context.${name}`] = value;
  for (const [key, template] of Object.entries(templates)) {
    let missing = false;
    const query = template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, token: string) => {
      const value = tokens[token];
      if (!value) missing = true;
      return encodeURIComponent(value ?? '');
    });
    if (missing) continue;
    const result = runQuery(query, store, fhirBaseUrl);
    if (result !== undefined) prefetch[key] = result;
  }
  return prefetch;
}

function runQuery(query: string, store: FhirStore, fhirBaseUrl: string): unknown {
  const [path = '', search] = query.split('?', 2);
  const [type = '', id] = path.split('/');
  if (!SUPPORTED_TYPES.includes(type)) return undefined;
  if (id !== undefined) return store.read(type, decodeURIComponent(id)) ?? null;
  const params = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(search ?? ''))
    params.set(name, [...(params.get(name) ?? []), value]);
  const results = store.search(type, params);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: results.length,
    entry: results.map((resource) => ({
      fullUrl: `${fhirBaseUrl}/${resource.resourceType}/${resource.id}`,
      resource,
    })),
  };
}

async function problem(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { issue?: { diagnostics?: string }[] };
    const diagnostics = body.issue?.[0]?.diagnostics;
    if (diagnostics) return diagnostics;
  } catch {
    // not JSON: use the text
  }
  return text.slice(0, 300) || response.statusText || 'no detail';
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no answer in time';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function readCard(value: unknown): ReceivedCard[] {
  if (!value || typeof value !== 'object') return [];
  const card = value as Record<string, unknown>;
  const summary = str(card.summary);
  const indicator = card.indicator;
  if (!summary || (indicator !== 'info' && indicator !== 'warning' && indicator !== 'critical')) return [];
  const source = (card.source ?? {}) as Record<string, unknown>;
  const list = (v: unknown): Record<string, unknown>[] =>
    Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : [];
  const uuid = str(card.uuid);
  const detail = str(card.detail);
  const sourceUrl = str(source.url);
  return [
    {
      ...(uuid ? { uuid } : {}),
      summary,
      ...(detail ? { detail } : {}),
      indicator,
      source: { label: str(source.label) ?? 'unnamed source', ...(sourceUrl ? { url: sourceUrl } : {}) },
      suggestions: list(card.suggestions).flatMap((s) =>
        str(s.label) ? [{ label: str(s.label) ?? '', isRecommended: s.isRecommended === true }] : [],
      ),
      overrideReasons: list(card.overrideReasons).flatMap((r) => {
        const display = str(r.display) ?? str(r.code);
        return display ? [display] : [];
      }),
      links: list(card.links).flatMap((l) => {
        const label = str(l.label);
        const url = str(l.url);
        const type = l.type === 'smart' ? 'smart' : l.type === 'absolute' ? 'absolute' : undefined;
        if (!label || !url || !type) return [];
        const appContext = str(l.appContext);
        return [{ label, url, type, ...(appContext !== undefined ? { appContext } : {}) }];
      }),
    },
  ];
}

/** The public half of the key as a JWK Set (served at the EHR's jwksUrl). */
export function publicJwks(key: CdsClientKey): { keys: JWK[] } {
  return { keys: [key.publicJwk] };
}
