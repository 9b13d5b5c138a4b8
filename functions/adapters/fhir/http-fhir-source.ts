import type { FhirFetchResult, FhirSource, FhirSourceFactory } from '../../core/ports';

/**
 * The EHR's FHIR server over HTTP (global fetch, undici in Node 20).
 *
 * Outcomes, never exceptions:
 * - the signal aborts (caller's timeout) → `timeout`; connection failures → `unreachable`;
 * - 401/403 → `unauthorized`; 404/410 on a read (or a search that is a plain `Type/id` read) → `not-found`;
 * - any other non-2xx, a body that is not JSON, not a resource or Bundle, an OperationOutcome, a body over
 *   the size cap, a malformed Bundle → `bad-response` (with the HTTP status when there was one);
 * - a query, `next` link or redirect that leaves the server's origin and base path is never requested (the
 *   EHR's token must not travel elsewhere) → `bad-response` without status;
 * - more pages than `pageLimit` or more resources than `maxResources` → `bad-response` without status: a
 *   truncated result must not look like the patient's complete record, so the caller reports that the check
 *   could not be completed;
 * - a server URL that is not absolute http(s) without credentials, query or fragment → `unreachable`.
 * No result carries a message, so no patient data can leak through one.
 */
export interface HttpFhirSourceOptions {
  /** FHIR base URL (CDS Hooks `fhirServer`), e.g. "https://ehr.example/fhir". */
  server: string;
  /** CDS Hooks `fhirAuthorization.access_token`, sent as `Authorization: Bearer`. */
  accessToken?: string;
  /** Most Bundle pages one search may read (default 20). */
  pageLimit?: number;
  /** Most resources one search may return (default 5000). */
  maxResources?: number;
  /** Largest response body read, in bytes (default 20 MB). */
  maxBodyBytes?: number;
  /** Injected fetch (tests); defaults to the global one. */
  fetch?: typeof fetch;
}

export const DEFAULT_PAGE_LIMIT = 20;
export const DEFAULT_MAX_RESOURCES = 5000;
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
/** Same-base redirects followed per request; more is a misbehaving server. */
const MAX_REDIRECTS = 5;

type Failure = Extract<FhirFetchResult, { ok: false }>;
type JsonObject = Record<string, unknown>;
type Fetched = { ok: true; status: number; body: JsonObject } | Failure;

export function createHttpFhirSource(options: HttpFhirSourceOptions): FhirSource {
  const parsed = parseBase(options.server);
  if (parsed === undefined) {
    const unreachable = async (): Promise<FhirFetchResult> => ({ ok: false, reason: 'unreachable' });
    return { search: unreachable, read: unreachable };
  }
  const base: Base = parsed;
  const token = options.accessToken ? options.accessToken : undefined;
  const tokenIsValid = token === undefined || /^[\x21-\x7e]+$/.test(token);
  const pageLimit = positiveOr(options.pageLimit, DEFAULT_PAGE_LIMIT);
  const maxResources = positiveOr(options.maxResources, DEFAULT_MAX_RESOURCES);
  const maxBodyBytes = positiveOr(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
  const doFetch = options.fetch ?? globalThis.fetch;

  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (token !== undefined && tokenIsValid) headers.authorization = `Bearer ${token}`;

  async function get(url: URL, signal: AbortSignal): Promise<Fetched> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (signal.aborted) return { ok: false, reason: 'timeout' };
      let response: Response;
      try {
        // Manual redirects: a redirect off the server base must not carry the token.
        response = await doFetch(current, { method: 'GET', headers, signal, redirect: 'manual' });
      } catch {
        return { ok: false, reason: signal.aborted ? 'timeout' : 'unreachable' };
      }
      const status = response.status;
      if (status >= 300 && status < 400) {
        discard(response);
        const location = response.headers.get('location');
        const next = location === null ? undefined : resolveUnderBase(base, location, current);
        if (next === undefined) return { ok: false, reason: 'bad-response', status };
        current = next;
        continue;
      }
      if (status === 401 || status === 403) {
        discard(response);
        return { ok: false, reason: 'unauthorized', status };
      }
      if (status === 404 || status === 410) {
        discard(response);
        return { ok: false, reason: 'not-found', status };
      }
      if (status < 200 || status >= 300) {
        discard(response);
        return { ok: false, reason: 'bad-response', status };
      }
      const text = await readCapped(response, maxBodyBytes, signal);
      if (typeof text !== 'string')
        return text === 'aborted' ? { ok: false, reason: 'timeout' } : bad(status);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return bad(status);
      }
      if (!isResource(body) || body.resourceType === 'OperationOutcome') return bad(status);
      return { ok: true, status, body };
    }
    return { ok: false, reason: 'bad-response' };
  }

  function precheck(target: string): URL | Failure {
    if (!tokenIsValid) return { ok: false, reason: 'unauthorized' };
    const url = resolveQuery(base, target);
    return url ?? { ok: false, reason: 'bad-response' };
  }

  return {
    async search(query, { signal }) {
      try {
        const first = precheck(query);
        if (!(first instanceof URL)) return first;
        const resources: unknown[] = [];
        const seen = new Set<string>();
        let url: URL | undefined = first;
        for (let page = 0; url !== undefined; page++) {
          if (page >= pageLimit || seen.has(url.href)) return { ok: false, reason: 'bad-response' };
          seen.add(url.href);
          const fetched = await get(url, signal);
          if (!fetched.ok) {
            // A 404 means "no such resource" only for a read-shaped first request; otherwise the endpoint
            // or the page is unknown, which must not look like "no data".
            if (fetched.reason === 'not-found' && !(page === 0 && isReadShaped(query))) {
              return { ok: false, reason: 'bad-response', status: fetched.status };
            }
            return fetched;
          }
          if (fetched.body.resourceType !== 'Bundle') {
            // A read-shaped prefetch template ("Patient/123") answers with the resource itself.
            if (page > 0) return bad(fetched.status);
            return { ok: true, resources: [fetched.body] };
          }
          const entries = bundleEntries(fetched.body);
          if (entries === undefined) return bad(fetched.status);
          // A loop, not push(...entries): a page of many small entries must not overflow the stack.
          for (const entry of entries) resources.push(entry);
          if (resources.length > maxResources) return { ok: false, reason: 'bad-response' };
          const next = nextLink(fetched.body);
          if (next === 'malformed') return bad(fetched.status);
          if (next === undefined) break;
          url = resolveUnderBase(base, next, url);
          if (url === undefined) return { ok: false, reason: 'bad-response' };
        }
        return { ok: true, resources };
      } catch {
        return { ok: false, reason: signal.aborted ? 'timeout' : 'bad-response' };
      }
    },

    async read(reference, { signal }) {
      try {
        const url = precheck(reference);
        if (!(url instanceof URL)) return url;
        const fetched = await get(url, signal);
        if (!fetched.ok) return fetched;
        return { ok: true, resources: [fetched.body] };
      } catch {
        return { ok: false, reason: signal.aborted ? 'timeout' : 'bad-response' };
      }
    },
  };
}

/** Builds sources with shared limits; the server and token come from each CDS Hooks request. */
export function createHttpFhirSourceFactory(
  defaults: Omit<HttpFhirSourceOptions, 'server' | 'accessToken'> = {},
): FhirSourceFactory {
  return (server, accessToken) => createHttpFhirSource({ ...defaults, server, accessToken });
}

/** The factory with default limits and the global fetch. */
export const httpFhirSourceFactory: FhirSourceFactory = createHttpFhirSourceFactory();

interface Base {
  origin: string;
  /** Path without trailing slash; "" for a server at the root. */
  path: string;
}

function parseBase(server: string): Base | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password || url.search || url.hash) return undefined;
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
}

/** A query relative to the base ("Observation?patient=1") or an absolute URL, kept only under the base. */
function resolveQuery(base: Base, query: string): URL | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(query)) return underBase(base, query);
  return underBase(base, `${base.origin}${base.path}/${query.replace(/^\/+/, '')}`);
}

/** A next link or redirect target, possibly relative to the URL it came from, kept only under the base. */
function resolveUnderBase(base: Base, link: string, from: URL): URL | undefined {
  let absolute: string;
  try {
    absolute = new URL(link, from).href;
  } catch {
    return undefined;
  }
  return underBase(base, absolute);
}

function underBase(base: Base, href: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (url.origin !== base.origin || url.username || url.password) return undefined;
  // The URL parser has already resolved "..", so a prefix test on the path is sound.
  const inside = url.pathname === base.path || url.pathname.startsWith(`${base.path}/`);
  if (!inside) return undefined;
  url.hash = '';
  return url;
}

/** "Patient/123" (no query): a 404 then means the resource does not exist. */
function isReadShaped(query: string): boolean {
  return /^\/*[A-Za-z]+\/[^/?#]+$/.test(query);
}

function bundleEntries(bundle: JsonObject): unknown[] | undefined {
  const entry = bundle.entry;
  if (entry === undefined) return [];
  if (!Array.isArray(entry)) return undefined;
  const resources: unknown[] = [];
  for (const item of entry) {
    if (!isObject(item)) return undefined;
    // Search outcome entries carry server warnings, not patient data.
    if (isObject(item.search) && item.search.mode === 'outcome') continue;
    if (item.resource === undefined) continue;
    if (!isResource(item.resource)) return undefined;
    resources.push(item.resource);
  }
  return resources;
}

function nextLink(bundle: JsonObject): string | undefined | 'malformed' {
  const links = bundle.link;
  if (links === undefined) return undefined;
  if (!Array.isArray(links)) return 'malformed';
  for (const link of links) {
    if (isObject(link) && link.relation === 'next') {
      return typeof link.url === 'string' && link.url !== '' ? link.url : 'malformed';
    }
  }
  return undefined;
}

/** The body as text, or why not: over the cap, not UTF-8, or aborted. */
async function readCapped(
  response: Response,
  maxBytes: number,
  signal: AbortSignal,
): Promise<string | 'too-large' | 'invalid' | 'aborted'> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    discard(response);
    return 'too-large';
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        reader.cancel().catch(() => {});
        return 'too-large';
      }
      chunks.push(value);
    }
  } catch {
    return signal.aborted ? 'aborted' : 'invalid';
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'invalid';
  }
}

/** Releases an unread body so the connection can be reused or closed. */
function discard(response: Response): void {
  response.body?.cancel().catch(() => {});
}

function bad(status: number): Failure {
  return { ok: false, reason: 'bad-response', status };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isResource(value: unknown): value is JsonObject & { resourceType: string } {
  return isObject(value) && typeof value.resourceType === 'string' && value.resourceType !== '';
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}
