import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createHttpFhirSource } from '../../../functions/adapters/fhir/http-fhir-source';

// Properties with a recording fetch (no network): whatever the query and whatever the server answers, the
// source never throws and never sends a request, with the token, outside the server base.

const BASE = 'https://ehr.example/fhir';

const queryPiece = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    'Observation?patient=1',
    'Patient/1',
    '../',
    '..%2f',
    '%2e%2e/',
    '//evil.example/',
    'https://evil.example/fhir/',
    'https://ehr.example/fhir-x/',
    'https://ehr.example/fhir/',
    'https://ehr.example:444/fhir/',
    'http://ehr.example/fhir/',
    'https://user@ehr.example/fhir/',
    '\\\\evil.example\\',
    '?',
    '#',
    '/',
    '@',
    ':',
  ),
);
const query = fc.array(queryPiece, { maxLength: 5 }).map((parts) => parts.join(''));

const body = fc.oneof(
  fc.json(),
  fc.string(),
  fc.record({
    resourceType: fc.constantFrom('Bundle', 'Patient', 'OperationOutcome', ''),
    entry: fc.oneof(fc.constant(undefined), fc.array(fc.jsonValue(), { maxLength: 3 })),
    link: fc.oneof(
      fc.constant(undefined),
      fc.array(fc.record({ relation: fc.constantFrom('next', 'self'), url: query }), { maxLength: 2 }),
    ),
  }),
);
const answer = fc.record({
  status: fc.constantFrom(200, 201, 204, 301, 302, 400, 401, 403, 404, 410, 500, 503),
  location: query,
  body,
});

function isUnderBase(href: string): boolean {
  const url = new URL(href);
  return (
    url.origin === 'https://ehr.example' && (url.pathname === '/fhir' || url.pathname.startsWith('/fhir/'))
  );
}

describe('http FHIR source properties', () => {
  test('never throws, never requests outside the base, and always answers a known outcome', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.array(answer, { minLength: 1, maxLength: 4 }), async (q, answers) => {
        const requested: string[] = [];
        let n = 0;
        const fakeFetch = async (input: string | URL | Request): Promise<Response> => {
          const href = input instanceof Request ? input.url : String(input);
          requested.push(href);
          const a = answers[n++ % answers.length]!;
          const nullBody = a.status === 204 || (a.status >= 300 && a.status < 400);
          const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? null);
          return new Response(nullBody ? null : text, {
            status: a.status,
            headers: nullBody ? { location: a.location } : { 'content-type': 'application/fhir+json' },
          });
        };
        const source = createHttpFhirSource({
          server: BASE,
          accessToken: 't',
          pageLimit: 3,
          fetch: fakeFetch as typeof fetch,
        });
        const signal = new AbortController().signal;

        for (const result of [await source.search(q, { signal }), await source.read(q, { signal })]) {
          if (result.ok) {
            expect(Array.isArray(result.resources)).toBe(true);
          } else {
            expect(['unreachable', 'timeout', 'unauthorized', 'not-found', 'bad-response']).toContain(
              result.reason,
            );
          }
        }
        for (const href of requested) expect(isUnderBase(href), href).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('a fetch that throws is unreachable, or a timeout once the signal has aborted', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const source = createHttpFhirSource({ server: BASE, fetch: failing });
    const aborted = new AbortController();
    aborted.abort();

    expect(await source.search('Observation', { signal: new AbortController().signal })).toEqual({
      ok: false,
      reason: 'unreachable',
    });
    expect(await source.read('Patient/1', { signal: aborted.signal })).toEqual({
      ok: false,
      reason: 'timeout',
    });
  });
});
