import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { SERVICES } from '../../functions/core/cds/services';
import { type DevEhr, startDevEhr } from '../../functions/dev-ehr';

// What the EHR sends: a recording CDS service stands in for Tailor and answers with fixed cards.

interface Received {
  method: string;
  url: string;
  authorization: string;
  body: Record<string, unknown> | undefined;
}

let service: Server;
let serviceUrl: string;
let ehr: DevEhr;
const received: Received[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: { cards: [] } };

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  service = createServer(async (req, res) => {
    const text = await read(req);
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization ?? '',
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    });
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET') {
      res.end(JSON.stringify({ services: SERVICES }));
      return;
    }
    res.statusCode = answer.status;
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  ehr = await startDevEhr({
    cdsServiceUrl: serviceUrl,
    smartApp: {
      clientId: 'tailor-smart-app',
      launchUrl: 'http://127.0.0.1:3999/app/launch.html',
      redirectUris: ['http://127.0.0.1:3999/app/index.html'],
    },
  });
});
afterAll(async () => {
  await ehr?.close();
  service?.closeAllConnections();
  await new Promise<void>((resolve) => service?.close(() => resolve()));
});

async function order(patientId: string, medication: string, hook: string): Promise<string> {
  received.length = 0;
  const response = await fetch(ehr.orderPageUrl(patientId), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ medication, hook }).toString(),
  });
  return response.text();
}

describe('the CDS Hooks requests the EHR sends', () => {
  test('discovery, then the hook, each with its own ES384 JWT whose aud is the exact URL', async () => {
    await order('dev-cyp2c19', 'clopidogrel', 'order-sign');
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /cds-services',
      'POST /cds-services/tailor-order-sign',
    ]);
    const jwks = createRemoteJWKSet(new URL(ehr.jwksUrl));
    const jtis = new Set<string>();
    for (const request of received) {
      const jwt = request.authorization.replace(/^Bearer /, '');
      expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'ES384', typ: 'JWT' });
      expect(decodeProtectedHeader(jwt).kid).toBeTruthy();
      const { payload } = await jwtVerify(jwt, jwks, {
        issuer: ehr.cdsClientIssuer,
        audience: `${serviceUrl}${request.url}`,
      });
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
      expect(payload.jti).toBeTruthy();
      jtis.add(String(payload.jti));
    }
    expect(jtis.size).toBe(2);
  });

  test('order-sign: draft order, prefetch from the EHR’s data, fhirServer and a patient-bound fhirAuthorization', async () => {
    await order('dev-cyp2c19', 'clopidogrel', 'order-sign');
    const body = received[1]?.body ?? {};
    expect(body).toMatchObject({
      hook: 'order-sign',
      fhirServer: ehr.fhirBaseUrl,
      fhirAuthorization: { token_type: 'Bearer', subject: 'tailor-cds-service', patient: 'dev-cyp2c19' },
      context: {
        userId: 'Practitioner/dev-clinician',
        patientId: 'dev-cyp2c19',
        encounterId: 'dev-cyp2c19-enc',
      },
    });
    expect(body.hookInstance).toMatch(/^[0-9a-f-]{36}$/);
    const context = body.context as { draftOrders: { entry: { resource: Record<string, unknown> }[] } };
    expect(context.draftOrders.entry[0]?.resource).toMatchObject({
      resourceType: 'MedicationRequest',
      status: 'draft',
      subject: { reference: 'Patient/dev-cyp2c19' },
      medicationCodeableConcept: {
        coding: expect.arrayContaining([expect.objectContaining({ code: 'B01AC04' })]),
      },
    });
    const prefetch = body.prefetch as Record<
      string,
      { resourceType: string; entry?: { resource: { id: string } }[] }
    >;
    expect(Object.keys(prefetch).sort()).toEqual(
      ['activeMedications', 'conditions', 'genomicObservations', 'genomicReports', 'patient'].sort(),
    );
    expect(prefetch.patient?.resourceType).toBe('Patient');
    expect(prefetch.genomicObservations?.entry?.map((e) => e.resource.id).sort()).toEqual([
      'dev-cyp2c19-cyp2c19-clopidogrel',
      'dev-cyp2c19-cyp2c19-geno',
    ]);
    expect(prefetch.genomicReports?.entry?.map((e) => e.resource.id)).toEqual(['dev-cyp2c19-pgx-report']);
    expect(prefetch.activeMedications?.entry).toHaveLength(2);
    expect(prefetch.conditions?.entry).toHaveLength(2);

    // The token works on the EHR's FHIR server for this patient only.
    const token = (body.fhirAuthorization as { access_token: string }).access_token;
    const get = (path: string) =>
      fetch(`${ehr.fhirBaseUrl}/${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get('Observation?patient=dev-cyp2c19')).status).toBe(200);
    expect((await get('Medication/med-warfarin')).status).toBe(200);
    expect((await get('Observation?patient=dev-ttp')).status).toBe(403);
  });

  test('order-select names the selected order', async () => {
    await order('dev-fvl', 'ethinylestradiol-levonorgestrel', 'order-select');
    const body = received[1]?.body as {
      hook: string;
      context: { selections: string[]; draftOrders: { entry: { resource: { id: string } }[] } };
    };
    expect(body.hook).toBe('order-select');
    expect(received[1]?.url).toBe('/cds-services/tailor-order-select');
    expect(body.context.selections).toEqual([
      `MedicationRequest/${body.context.draftOrders.entry[0]?.resource.id}`,
    ]);
  });

  test('the patient without genomic results gets empty searchsets, not missing keys', async () => {
    await order('dev-no-genomics', 'clopidogrel', 'order-sign');
    const prefetch = received[1]?.body?.prefetch as Record<string, { total?: number }>;
    expect(prefetch.genomicObservations).toMatchObject({ resourceType: 'Bundle', total: 0 });
    expect(prefetch.genomicReports).toMatchObject({ resourceType: 'Bundle', total: 0 });
  });
});

describe('rendering what comes back', () => {
  test('card text is escaped, markdown rendered, only http(s) links made', async () => {
    answer = {
      status: 200,
      body: {
        cards: [
          {
            uuid: 'c-1',
            summary: '<img src=x onerror=alert(1)> summary',
            indicator: 'warning',
            detail:
              '**Bold** and <script>alert(1)</script>\n\n- [safe](https://example.org/a)\n- [unsafe](javascript:alert(1))',
            source: { label: 'Source <b>', url: 'javascript:alert(2)' },
            suggestions: [{ label: 'Use <other>', uuid: 's-1', isRecommended: true, actions: [] }],
            overrideReasons: [{ code: 'x', display: 'Because "reasons"' }],
            links: [
              {
                label: 'Open app',
                url: 'http://127.0.0.1:3999/app/launch.html',
                type: 'smart',
                appContext: '{"a":"<b>"}',
              },
            ],
          },
          { summary: 'no indicator: dropped' },
        ],
      },
    };
    const html = await order('dev-cyp2c19', 'clopidogrel', 'order-sign');
    answer = { status: 200, body: { cards: [] } };
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/href="javascript/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; summary');
    expect(html).toContain('<strong>Bold</strong>');
    expect(html).toContain(
      '<a href="https://example.org/a" target="_blank" rel="noopener noreferrer">safe</a>',
    );
    expect(html).toContain('Use &lt;other&gt; <strong>(recommended)</strong>');
    expect(html).toContain('Because &quot;reasons&quot;');
    expect(html).toContain('value="{&quot;a&quot;:&quot;&lt;b&gt;&quot;}"');
    expect(html).toContain('1 card ');
    expect(html).not.toContain('no indicator: dropped');
  });

  test('an empty answer says there is no advice', async () => {
    const html = await order('dev-cyp2c19', 'paracetamol', 'order-sign');
    expect(html).toContain('No cards: Tailor has no advice for this order.');
  });

  test('a service error shows its status and problem', async () => {
    answer = {
      status: 412,
      body: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'incomplete', diagnostics: 'data missing' }],
      },
    };
    const html = await order('dev-cyp2c19', 'clopidogrel', 'order-sign');
    answer = { status: 200, body: { cards: [] } };
    expect(html).toContain('data-status="412"');
    expect(html).toContain('HTTP 412: data missing');
    expect(html).toContain('role="alert"');
  });
});

describe('start and stop', () => {
  test('prints nothing and closes cleanly', async () => {
    const spies = [
      vi.spyOn(console, 'log'),
      vi.spyOn(console, 'info'),
      vi.spyOn(console, 'warn'),
      vi.spyOn(console, 'error'),
      vi.spyOn(process.stdout, 'write'),
    ];
    try {
      const quiet = await startDevEhr({
        cdsServiceUrl: serviceUrl,
        smartApp: {
          clientId: 'tailor-smart-app',
          launchUrl: 'http://127.0.0.1:3999/app/launch.html',
          redirectUris: ['http://127.0.0.1:3999/app/index.html'],
        },
      });
      expect(quiet.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${quiet.url}/`)).status).toBe(200);
      expect((await fetch(`${quiet.fhirBaseUrl}/.well-known/openid-configuration`)).status).toBe(200);
      await quiet.close();
      await expect(fetch(`${quiet.url}/`)).rejects.toThrow();
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
