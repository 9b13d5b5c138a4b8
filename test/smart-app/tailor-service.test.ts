import { describe, expect, it } from 'vitest';
import { httpTailorService, TailorServiceError } from '../../smart-app/src/tailor-service';

function fakeFetch(reply: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const doFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return reply(String(url), init ?? {});
  }) as typeof fetch;
  return { doFetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('httpTailorService', () => {
  it('posts the resources with the id_token as bearer', async () => {
    const { doFetch, calls } = fakeFetch(() => json(200, { ruleSetVersion: '1.0.0' }));
    const service = httpTailorService('https://tailor.example.org/', 'id.token.here', doFetch);
    await expect(service.assess({ resources: [], drugs: ['x'] })).resolves.toEqual({
      ruleSetVersion: '1.0.0',
    });
    expect(calls[0]?.url).toBe('https://tailor.example.org/api/assessment');
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.body).toBe(JSON.stringify({ resources: [], drugs: ['x'] }));
    const headers = calls[0]?.init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer id.token.here');
    expect(headers['content-type']).toBe('application/json');
    await service.drugs();
    expect(calls[1]?.url).toBe('https://tailor.example.org/api/drugs');
  });

  it('turns a 401 into an expired session, other failures into an unavailable service', async () => {
    const expired = httpTailorService('https://t.example', 't', fakeFetch(() => json(401, {})).doFetch);
    await expect(expired.assess({ resources: [] })).rejects.toMatchObject({
      kind: 'session-expired',
      status: 401,
    });
    const failing = httpTailorService(
      'https://t.example',
      't',
      fakeFetch(() =>
        json(500, {
          resourceType: 'OperationOutcome',
          issue: [{ diagnostics: 'the rules could not be loaded' }],
        }),
      ).doFetch,
    );
    const error = await failing.assess({ resources: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TailorServiceError);
    expect(error).toMatchObject({ kind: 'unavailable', status: 500 });
    expect((error as Error).message).toContain('the rules could not be loaded');
    const down = httpTailorService(
      'https://t.example',
      't',
      fakeFetch(() => Promise.reject(new TypeError('fetch failed'))).doFetch,
    );
    await expect(down.drugs()).rejects.toMatchObject({ kind: 'unavailable' });
    const garbled = httpTailorService(
      'https://t.example',
      't',
      fakeFetch(() => new Response('<html>', { status: 200 })).doFetch,
    );
    await expect(garbled.drugs()).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
