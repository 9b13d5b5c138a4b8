import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small FHIR R4 server for tests: real HTTP on 127.0.0.1, an ephemeral port, resources held in memory.
 *
 * Serves, under `{url}` (base path `/fhir` unless told otherwise):
 * - `GET {Type}/{id}`: read (404 with an OperationOutcome when absent);
 * - `GET {Type}?...`: a searchset Bundle paged with `next` links (`_offset`) at `pageSize` (or `_count`).
 *   Parameters: `patient` / `subject` (reference or bare id, matched against `subject` and `patient`),
 *   `code` and `category` (comma-separated `system|code` or `code`, matched loosely against any coding of
 *   `code` / `medicationCodeableConcept` and `category`), `status`, `_id`,
 *   `_include=MedicationRequest:medication`; other parameters are ignored, as lenient servers do.
 * Requires `Authorization: Bearer <token>` when `token` is set (401 otherwise); `delayMs` delays every
 * answer; `failWith` answers every request with that status; `respond` overrides any answer.
 * Timers and the server are unref'd and `close()` ends open connections, so a test can never hang on it.
 */
export interface FhirTestServerOptions {
  resources: unknown[];
  token?: string;
  pageSize?: number;
  delayMs?: number;
  failWith?: number;
  /** Base path of the FHIR endpoint (default "/fhir"; "" serves at the root). */
  basePath?: string;
  /** Answers a request itself when it returns a value (non-JSON bodies, foreign next links, ...). */
  respond?: (request: RecordedRequest, server: { url: string }) => CannedResponse | undefined;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received, e.g. "/fhir/Observation?patient=1". */
  url: string;
  authorization?: string;
}

export interface CannedResponse {
  status: number;
  /** A string or bytes are sent as-is; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface FhirTestServer {
  /** The FHIR base URL, without trailing slash. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

type Resource = Record<string, unknown> & { resourceType: string };

export async function startFhirTestServer(options: FhirTestServerOptions): Promise<FhirTestServer> {
  const resources = options.resources.filter(isResource);
  const basePath = (options.basePath ?? '/fhir').replace(/\/+$/, '');
  const pageSize = Math.max(1, options.pageSize ?? 50);
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let url = '';

  const server = createServer((req, res) => {
    const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/' };
    if (req.headers.authorization !== undefined) recorded.authorization = req.headers.authorization;
    requests.push(recorded);
    const answer = () => {
      if (res.destroyed) return;
      try {
        send(res, route(req, recorded));
      } catch {
        send(res, outcome(500, 'exception', 'test server failure'));
      }
    };
    const delay = options.delayMs ?? 0;
    if (delay <= 0) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer();
    }, delay);
    timer.unref();
    timers.add(timer);
  });

  function route(req: IncomingMessage, recorded: RecordedRequest): CannedResponse {
    const canned = options.respond?.(recorded, { url });
    if (canned !== undefined) return canned;
    if (options.failWith !== undefined) return outcome(options.failWith, 'exception', 'forced failure');
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return outcome(401, 'login', 'missing or wrong bearer token');
    }
    if (req.method !== 'GET') return outcome(405, 'not-supported', 'only GET');
    const parsed = new URL(recorded.url, 'http://127.0.0.1');
    if (parsed.pathname !== basePath && !parsed.pathname.startsWith(`${basePath}/`)) {
      return outcome(404, 'not-found', 'not a FHIR path');
    }
    const segments = parsed.pathname
      .slice(basePath.length)
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    const [type, id] = segments;
    if (segments.length === 2 && type !== undefined && id !== undefined) {
      const found = resources.find((r) => r.resourceType === type && r.id === id);
      return found ? { status: 200, body: found } : outcome(404, 'not-found', 'no such resource');
    }
    if (segments.length === 1 && type !== undefined) return search(type, parsed);
    return outcome(404, 'not-found', 'unsupported path');
  }

  function search(type: string, parsed: URL): CannedResponse {
    const params = parsed.searchParams;
    const matches = resources.filter((r) => r.resourceType === type && matchesAll(r, params));
    const count = Math.max(1, positiveInt(params.get('_count')) ?? pageSize);
    const offset = positiveInt(params.get('_offset')) ?? 0;
    const page = matches.slice(offset, offset + count);
    const link = [{ relation: 'self', url: `${url}/${type}${parsed.search}` }];
    if (offset + count < matches.length) {
      const next = new URLSearchParams(params);
      next.set('_offset', String(offset + count));
      link.push({ relation: 'next', url: `${url}/${type}?${next}` });
    }
    const entry: unknown[] = page.map((r) => ({
      fullUrl: `${url}/${r.resourceType}/${String(r.id)}`,
      resource: r,
      search: { mode: 'match' },
    }));
    if (params.getAll('_include').includes('MedicationRequest:medication')) {
      const included = new Set<string>();
      for (const r of page) {
        const ref = referenceOf(r.medicationReference);
        const med = resources.find((m) => m.resourceType === 'Medication' && `Medication/${m.id}` === ref);
        if (med && ref && !included.has(ref)) {
          included.add(ref);
          entry.push({ fullUrl: `${url}/${ref}`, resource: med, search: { mode: 'include' } });
        }
      }
    }
    return {
      status: 200,
      body: { resourceType: 'Bundle', type: 'searchset', total: matches.length, link, entry },
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}${basePath}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function matchesAll(resource: Resource, params: URLSearchParams): boolean {
  for (const [name, value] of params) {
    const wanted = value.split(',').filter(Boolean);
    switch (name) {
      case 'patient':
      case 'subject': {
        const refs = [referenceOf(resource.subject), referenceOf(resource.patient)];
        if (
          !wanted.some((w) => refs.some((ref) => ref !== undefined && (ref === w || ref === `Patient/${w}`)))
        )
          return false;
        break;
      }
      case '_id':
        if (!wanted.includes(String(resource.id))) return false;
        break;
      case 'status':
        if (!wanted.includes(String(resource.status))) return false;
        break;
      case 'code':
        if (!codingsMatch([resource.code, resource.medicationCodeableConcept], wanted)) return false;
        break;
      case 'category':
        if (!codingsMatch(asArray(resource.category), wanted)) return false;
        break;
      default:
        // _count, _offset, _include, _sort and anything unknown do not filter.
        break;
    }
  }
  return true;
}

/** Loose token match: "system|code", "|code" or "code" against any coding of the concepts. */
function codingsMatch(concepts: unknown[], wanted: string[]): boolean {
  const codings = concepts.flatMap((c) => (isObject(c) ? asArray(c.coding) : [])).filter(isObject);
  return wanted.some((token) => {
    const bar = token.indexOf('|');
    const system = bar >= 0 ? token.slice(0, bar) : undefined;
    const code = bar >= 0 ? token.slice(bar + 1) : token;
    return codings.some(
      (c) => c.code === code && (system === undefined || system === '' || c.system === system),
    );
  });
}

function referenceOf(value: unknown): string | undefined {
  return isObject(value) && typeof value.reference === 'string' ? value.reference : undefined;
}

function outcome(status: number, code: string, diagnostics: string): CannedResponse {
  return {
    status,
    body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] },
  };
}

function send(res: ServerResponse, answer: CannedResponse): void {
  const raw = typeof answer.body === 'string' || answer.body instanceof Uint8Array;
  const payload =
    answer.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(raw ? (answer.body as string | Uint8Array) : JSON.stringify(answer.body));
  const chunked = answer.headers?.['transfer-encoding'] === 'chunked';
  res.writeHead(answer.status, {
    'content-type': answer.contentType ?? (raw ? 'text/plain' : 'application/fhir+json'),
    ...(chunked ? {} : { 'content-length': String(payload.byteLength) }),
    ...answer.headers,
  });
  res.end(payload);
}

function positiveInt(value: string | null): number | undefined {
  const n = value === null ? Number.NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isResource(value: unknown): value is Resource {
  return isObject(value) && typeof value.resourceType === 'string';
}
