import { afterEach, describe, expect, test } from 'vitest';
import {
  createHttpFhirSource,
  createHttpFhirSourceFactory,
  type HttpFhirSourceOptions,
} from '../../../functions/adapters/fhir/http-fhir-source';
import {
  type FhirTestServer,
  type FhirTestServerOptions,
  startFhirTestServer,
} from '../../support/fhir-test-server';
import { MEDICATION, MEDICATION_REQUEST, observation, PATIENT } from './fixtures';

const TOKEN = 'test-token-abc';
const OBSERVATIONS = [1, 2, 3, 4, 5].map((n) => observation(n));

const servers: FhirTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: Partial<FhirTestServerOptions> = {}): Promise<FhirTestServer> {
  const server = await startFhirTestServer({ resources: [], ...options });
  servers.push(server);
  return server;
}

function source(server: FhirTestServer | string, options: Partial<HttpFhirSourceOptions> = {}) {
  return createHttpFhirSource({
    server: typeof server === 'string' ? server : server.url,
    accessToken: TOKEN,
    ...options,
  });
}

const signal = () => AbortSignal.timeout(5000);

describe('search', () => {
  test('follows next links across three pages and returns the entry resources, never Bundles', async () => {
    const server = await serve({ resources: [PATIENT, ...OBSERVATIONS], token: TOKEN, pageSize: 2 });

    const result = await source(server).search(`Observation?patient=${PATIENT.id}`, { signal: signal() });

    expect(result).toEqual({ ok: true, resources: OBSERVATIONS });
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
    ]);
  });

  test('sends no Authorization header without a token', async () => {
    const server = await serve({ resources: OBSERVATIONS });

    const result = await source(server, { accessToken: undefined }).search('Observation?patient=x', {
      signal: signal(),
    });

    expect(result).toEqual({ ok: true, resources: [] });
    expect(server.requests[0]?.authorization).toBeUndefined();
  });

  test('an absolute query under the server base is requested; one elsewhere is not', async () => {
    const server = await serve({ resources: OBSERVATIONS });
    const other = await serve({ resources: OBSERVATIONS });

    const inside = await source(server).search(`${server.url}/Observation?patient=${PATIENT.id}`, {
      signal: signal(),
    });
    const outside = await source(server).search(`${other.url}/Observation?patient=${PATIENT.id}`, {
      signal: signal(),
    });

    expect(inside).toEqual({ ok: true, resources: OBSERVATIONS });
    expect(outside).toEqual({ ok: false, reason: 'bad-response' });
    expect(other.requests).toHaveLength(0);
  });

  test('a next link to another origin is not followed and the search fails', async () => {
    const other = await serve({ resources: OBSERVATIONS });
    const server = await serve({
      respond: () => ({
        status: 200,
        body: bundle([observation(1)], `${other.url}/Observation?patient=${PATIENT.id}&_offset=1`),
      }),
    });

    const result = await source(server).search(`Observation?patient=${PATIENT.id}`, { signal: signal() });

    expect(result).toEqual({ ok: false, reason: 'bad-response' });
    expect(server.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  test('a next link on the same origin but outside the base path is not followed', async () => {
    const server = await serve({
      respond: (request, { url }) =>
        request.url.startsWith('/fhir/')
          ? { status: 200, body: bundle([observation(1)], `${new URL(url).origin}/fhir-other/Observation`) }
          : { status: 200, body: bundle([observation(2)]) },
    });

    const result = await source(server).search('Observation', { signal: signal() });

    expect(result).toEqual({ ok: false, reason: 'bad-response' });
    expect(server.requests.map((r) => r.url)).toEqual(['/fhir/Observation']);
  });

  test('a relative next link is resolved against the page and followed', async () => {
    const server = await serve({
      respond: (request) =>
        request.url.includes('page=2')
          ? { status: 200, body: bundle([observation(2)]) }
          : { status: 200, body: bundle([observation(1)], 'Observation?page=2') },
    });

    const result = await source(server).search('Observation', { signal: signal() });

    expect(result).toEqual({ ok: true, resources: [observation(1), observation(2)] });
  });

  test('a next link that loops back to a page already read fails instead of repeating', async () => {
    const server = await serve({
      respond: (_request, { url }) => ({ status: 200, body: bundle([observation(1)], `${url}/Observation`) }),
    });

    const result = await source(server).search('Observation', { signal: signal() });

    expect(result).toEqual({ ok: false, reason: 'bad-response' });
    expect(server.requests).toHaveLength(1);
  });

  test('included resources are returned; search outcome entries are not', async () => {
    const server = await serve({
      resources: [MEDICATION_REQUEST, MEDICATION],
      respond: (request) =>
        request.url.includes('warn')
          ? {
              status: 200,
              body: {
                resourceType: 'Bundle',
                type: 'searchset',
                entry: [
                  { resource: observation(1), search: { mode: 'match' } },
                  {
                    resource: { resourceType: 'OperationOutcome', issue: [] },
                    search: { mode: 'outcome' },
                  },
                ],
              },
            }
          : undefined,
    });

    const meds = await source(server).search(
      `MedicationRequest?patient=${PATIENT.id}&status=active&_include=MedicationRequest:medication`,
      { signal: signal() },
    );
    const warned = await source(server).search('Observation?warn=1', { signal: signal() });

    expect(meds).toEqual({ ok: true, resources: [MEDICATION_REQUEST, MEDICATION] });
    expect(warned).toEqual({ ok: true, resources: [observation(1)] });
  });

  test('a read-shaped search returns the resource itself, and not-found when it is absent', async () => {
    const server = await serve({ resources: [PATIENT] });

    const found = await source(server).search(`Patient/${PATIENT.id}`, { signal: signal() });
    const absent = await source(server).search('Patient/nobody', { signal: signal() });

    expect(found).toEqual({ ok: true, resources: [PATIENT] });
    expect(absent).toEqual({ ok: false, reason: 'not-found', status: 404 });
  });

  test('a 404 on a real search is a bad response, never "no data"', async () => {
    const server = await serve({ failWith: 404 });

    const result = await source(server).search(`Observation?patient=${PATIENT.id}`, { signal: signal() });

    expect(result).toEqual({ ok: false, reason: 'bad-response', status: 404 });
  });
});

describe('limits', () => {
  test('more pages than pageLimit fail; exactly pageLimit pages succeed', async () => {
    const server = await serve({ resources: OBSERVATIONS, pageSize: 2 });

    const over = await source(server, { pageLimit: 2 }).search('Observation', { signal: signal() });
    const exact = await source(server, { pageLimit: 3 }).search('Observation', { signal: signal() });

    expect(over).toEqual({ ok: false, reason: 'bad-response' });
    expect(exact).toEqual({ ok: true, resources: OBSERVATIONS });
  });

  test('more resources than maxResources fail; exactly maxResources succeed', async () => {
    const server = await serve({ resources: OBSERVATIONS, pageSize: 2 });

    const over = await source(server, { maxResources: 4 }).search('Observation', { signal: signal() });
    const exact = await source(server, { maxResources: 5 }).search('Observation', { signal: signal() });

    expect(over).toEqual({ ok: false, reason: 'bad-response' });
    expect(exact).toEqual({ ok: true, resources: OBSERVATIONS });
  });

  test('a body over maxBodyBytes is a bad response', async () => {
    const big = { ...PATIENT, text: { status: 'generated', div: `<div>${'x'.repeat(10_000)}</div>` } };
    const server = await serve({ resources: [big] });

    const capped = await source(server, { maxBodyBytes: 1000 }).read(`Patient/${PATIENT.id}`, {
      signal: signal(),
    });
    const roomy = await source(server).read(`Patient/${PATIENT.id}`, { signal: signal() });

    expect(capped).toEqual({ ok: false, reason: 'bad-response', status: 200 });
    expect(roomy).toEqual({ ok: true, resources: [big] });
  });

  test('a body over the cap without Content-Length is cut off while streaming', async () => {
    const server = await serve({
      respond: () => ({
        status: 200,
        body: JSON.stringify({ ...PATIENT, note: 'y'.repeat(50_000) }),
        contentType: 'application/fhir+json',
        headers: { 'transfer-encoding': 'chunked' },
      }),
    });

    const result = await source(server, { maxBodyBytes: 2000 }).read('Patient/x', { signal: signal() });

    expect(result).toEqual({ ok: false, reason: 'bad-response', status: 200 });
  });
});

describe('read', () => {
  test('reads one resource with the bearer token', async () => {
    const server = await serve({ resources: [MEDICATION], token: TOKEN });

    const result = await source(server).read('Medication/med-1', { signal: signal() });

    expect(result).toEqual({ ok: true, resources: [MEDICATION] });
    expect(server.requests).toEqual([
      { method: 'GET', url: '/fhir/Medication/med-1', authorization: `Bearer ${TOKEN}` },
    ]);
  });

  test('404 is not-found', async () => {
    const server = await serve({ resources: [MEDICATION] });

    const result = await source(server).read('Medication/unknown', { signal: signal() });

    expect(result).toEqual({ ok: false, reason: 'not-found', status: 404 });
  });
});

describe('failures', () => {
  test('a wrong or missing token is unauthorized (401), as is 403', async () => {
    const server = await serve({ resources: [PATIENT], token: TOKEN });
    const forbidden = await serve({ failWith: 403 });

    const wrong = await source(server, { accessToken: 'other' }).read(`Patient/${PATIENT.id}`, {
      signal: signal(),
    });
    const none = await source(server, { accessToken: undefined }).search('Observation', { signal: signal() });
    const denied = await source(forbidden).search('Observation', { signal: signal() });

    expect(wrong).toEqual({ ok: false, reason: 'unauthorized', status: 401 });
    expect(none).toEqual({ ok: false, reason: 'unauthorized', status: 401 });
    expect(denied).toEqual({ ok: false, reason: 'unauthorized', status: 403 });
  });

  test('a slow server against AbortSignal.timeout(50) is a timeout, promptly', async () => {
    const server = await serve({ resources: [PATIENT], delayMs: 2000 });
    const started = Date.now();

    const result = await source(server).read(`Patient/${PATIENT.id}`, { signal: AbortSignal.timeout(50) });

    expect(result).toEqual({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('a signal aborted before the call is a timeout and sends nothing', async () => {
    const server = await serve({ resources: [PATIENT] });

    const result = await source(server).search('Observation', { signal: AbortSignal.abort() });

    expect(result).toEqual({ ok: false, reason: 'timeout' });
    expect(server.requests).toHaveLength(0);
  });

  test('connection refused is unreachable', async () => {
    const server = await startFhirTestServer({ resources: [] });
    await server.close();

    const result = await source(server).search('Observation', { signal: signal() });

    expect(result).toEqual({ ok: false, reason: 'unreachable' });
  });

  test('a malformed or non-http server URL is unreachable, without throwing', async () => {
    for (const server of ['not a url', 'ftp://ehr.example/fhir', 'https://u:p@ehr.example/fhir', '']) {
      const result = await source(server).search('Observation', { signal: signal() });
      expect(result).toEqual({ ok: false, reason: 'unreachable' });
    }
  });

  test.each([
    ['a non-JSON body', { status: 200, body: '<html>login</html>', contentType: 'text/html' }, 200],
    [
      'an OperationOutcome with status 200',
      { status: 200, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] } },
      200,
    ],
    ['a server error', { status: 500, body: { resourceType: 'OperationOutcome', issue: [] } }, 500],
    ['JSON that is not a resource', { status: 200, body: [{ resourceType: 'Patient' }] }, 200],
    ['an object without resourceType', { status: 200, body: { id: 'x' } }, 200],
    [
      'a Bundle whose entry is not an array',
      { status: 200, body: { resourceType: 'Bundle', entry: {} } },
      200,
    ],
    [
      'a Bundle entry whose resource is not a resource',
      { status: 200, body: { resourceType: 'Bundle', entry: [{ resource: 'Patient/1' }] } },
      200,
    ],
    ['an empty 200', { status: 200 }, 200],
    [
      'invalid UTF-8 inside valid JSON',
      {
        status: 200,
        body: Buffer.concat([
          Buffer.from('{"resourceType":"Patient","id":"'),
          Buffer.from([0xff]),
          Buffer.from('"}'),
        ]),
        contentType: 'application/fhir+json',
      },
      200,
    ],
  ])('%s is a bad response', async (_name, answer, status) => {
    const server = await serve({ respond: () => answer });

    const result = await source(server).search('Observation?patient=1', { signal: signal() });

    expect(result).toEqual({ ok: false, reason: 'bad-response', status });
  });

  test('a redirect inside the base is followed; one elsewhere is not, and the token stays home', async () => {
    const other = await serve({ resources: [PATIENT] });
    const server = await serve({
      resources: [PATIENT],
      respond: (request, { url }) => {
        if (request.url.endsWith('/Patient/moved')) {
          return { status: 301, headers: { location: `${url}/Patient/${PATIENT.id}` } };
        }
        if (request.url.endsWith('/Patient/away')) {
          return { status: 302, headers: { location: `${other.url}/Patient/${PATIENT.id}` } };
        }
        return undefined;
      },
    });

    const moved = await source(server).read('Patient/moved', { signal: signal() });
    const away = await source(server).read('Patient/away', { signal: signal() });

    expect(moved).toEqual({ ok: true, resources: [PATIENT] });
    expect(away).toEqual({ ok: false, reason: 'bad-response', status: 302 });
    expect(other.requests).toHaveLength(0);
  });

  test('a token that cannot be a header value is unauthorized without a request', async () => {
    const server = await serve({ resources: [PATIENT] });

    const result = await source(server, { accessToken: 'bad\r\ntoken' }).read(`Patient/${PATIENT.id}`, {
      signal: signal(),
    });

    expect(result).toEqual({ ok: false, reason: 'unauthorized' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('factory', () => {
  test('builds a source for the request server and token, with shared limits', async () => {
    const server = await serve({ resources: OBSERVATIONS, token: TOKEN, pageSize: 2 });
    const factory = createHttpFhirSourceFactory({ pageLimit: 2 });

    const limited = await factory(server.url, TOKEN).search('Observation', { signal: signal() });
    const firstPage = await factory(server.url, TOKEN).search('Observation?_count=5', { signal: signal() });

    expect(limited).toEqual({ ok: false, reason: 'bad-response' });
    expect(firstPage).toEqual({ ok: true, resources: OBSERVATIONS });
  });
});

describe('test server', () => {
  test('matches code and category loosely and filters by patient', async () => {
    const other = observation(9, 'someone-else');
    const cyp = observation(7, PATIENT.id, '12345-6');
    const server = await serve({ resources: [...OBSERVATIONS, other, cyp] });
    const s = source(server);

    const byCode = await s.search(`Observation?patient=Patient/${PATIENT.id}&code=http://loinc.org|12345-6`, {
      signal: signal(),
    });
    const byCategory = await s.search(`Observation?patient=${PATIENT.id}&category=laboratory&code=84413-4`, {
      signal: signal(),
    });

    expect(byCode).toEqual({ ok: true, resources: [cyp] });
    expect(byCategory).toEqual({ ok: true, resources: OBSERVATIONS });
  });
});

function bundle(resources: unknown[], next?: string) {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: next === undefined ? [] : [{ relation: 'next', url: next }],
    entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })),
  };
}
