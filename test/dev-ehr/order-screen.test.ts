import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readServiceConfig } from '../../functions/adapters/config';
import { type DevEhr, SCENARIOS, startDevEhr } from '../../functions/dev-ehr';
import { type LocalServer, startLocalServer } from '../../functions/server/local-server';
import { quietLog, quietMetrics } from '../support/doors';
import { authorizeUrl, browse, CookieJar, exchangeCode, iframeSrc, pkce, unescapeHtml } from './oauth-client';

// The order screen against a real Tailor local server that trusts only the EHR's published JWKS: every CDS
// Hooks call must carry the EHR's signed JWT, and the service reads missing data from the EHR's FHIR server.

const CLIENT_ID = 'tailor-smart-app';
const APP = 'http://127.0.0.1:3999/app';
const REDIRECT = `${APP}/index.html`;

let ehr: DevEhr;
let tailor: LocalServer;
let dir: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  // The EHR needs Tailor's URL and Tailor needs the EHR's JWKS URL: fix the EHR's port first.
  const port = await freePort();
  const ehrUrl = `http://127.0.0.1:${port}`;
  dir = await mkdtemp(join(tmpdir(), 'tailor-dev-ehr-'));
  const clients = join(dir, 'clients.json');
  await writeFile(
    clients,
    JSON.stringify({
      clients: [{ iss: ehrUrl, jwks_uri: `${ehrUrl}/cds-client/jwks.json`, maxTokenLifetimeSeconds: 300 }],
    }),
  );
  tailor = await startLocalServer({
    config: readServiceConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      TAILOR_CDS_CLIENTS: clients,
      TAILOR_SMART_LAUNCH_URL: `${APP}/launch.html`,
    }),
    inMemory: true,
    log: quietLog,
    metrics: quietMetrics,
  });
  ehr = await startDevEhr({
    port,
    cdsServiceUrl: tailor.url,
    smartApp: { clientId: CLIENT_ID, launchUrl: `${APP}/launch.html`, redirectUris: [REDIRECT] },
  });
  expect(ehr.url).toBe(ehrUrl);
  expect(ehr.cdsClientIssuer).toBe(ehrUrl);
  expect(ehr.jwksUrl).toBe(`${ehrUrl}/cds-client/jwks.json`);
});
afterAll(async () => {
  await ehr?.close();
  await tailor?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function order(patientId: string, medication: string, hook: 'order-select' | 'order-sign') {
  const response = await fetch(ehr.orderPageUrl(patientId), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ medication, hook }).toString(),
  });
  return { status: response.status, html: await response.text() };
}

/** The rendered cards: indicator and the text of their heading. */
function cards(html: string): { indicator: string; summary: string; body: string }[] {
  return [
    ...html.matchAll(
      /<article class="card[^"]*" data-indicator="(\w+)"[\s\S]*?<h3[^>]*>([\s\S]*?)<\/h3>([\s\S]*?)<\/article>/g,
    ),
  ].map((m) => ({ indicator: m[1] ?? '', summary: unescapeHtml(m[2] ?? ''), body: m[3] ?? '' }));
}

describe('order screen', () => {
  test('the order screen preselects the scenario drug and offers Select and Sign', async () => {
    const html = await (await fetch(ehr.orderPageUrl('dev-cyp2c19'))).text();
    expect(html).toContain('<label for="medication">Medication</label>');
    expect(html).toMatch(/<option value="clopidogrel" selected>/);
    expect(html).toContain('value="order-select">Select</button>');
    expect(html).toContain('value="order-sign">Sign</button>');
    expect(html).toContain('Henrik Testperson (fictional)');
  });

  test('Sign for the CYP2C19 poor metabolizer on clopidogrel shows a critical card with suggestions and a SMART link', async () => {
    const { status, html } = await order('dev-cyp2c19', 'clopidogrel', 'order-sign');
    expect(status).toBe(200);
    expect(html).toContain('data-outcome="cards"');
    const [first] = cards(html);
    expect(first?.indicator).toBe('critical');
    expect(first?.summary).toMatch(/clopidogrel/i);
    expect(first?.body).toContain('<h4>Suggestions</h4>');
    expect(first?.body).toMatch(/prasugrel/i);
    expect(first?.body).toContain('<h4>Override reasons</h4>');
    expect(first?.body).toContain('class="smart-link"');
    // Markdown detail rendered, not shown raw.
    expect(first?.body).toContain('<strong>');
    expect(first?.body).not.toContain('**');
  });

  test('Select sends order-select and gets the same advice', async () => {
    const { html } = await order('dev-hla-b5701', 'abacavir', 'order-select');
    expect(html).toContain('Tailor (order-select)');
    expect(cards(html)[0]?.indicator).toBe('critical');
  });

  test.each(SCENARIOS.map((s) => [s.patientId, s.orderMedication, s.expected] as const))(
    '%s ordered %s: the expected card',
    async (patientId, medication, expected) => {
      const { html } = await order(patientId, medication, 'order-sign');
      expect(html).toContain('data-outcome="cards"');
      const found = cards(html);
      if (!expected) expect(found).toEqual([]);
      else {
        // Each card's detail ends with its rule id and version.
        const card = found.find((c) => c.body.includes(`Rule ${expected.ruleId} v`));
        expect(card?.indicator).toBe(expected.indicator);
      }
    },
  );

  test("a card's SMART link launches the app in the EHR frame with the card's appContext in the token response", async () => {
    const { html } = await order('dev-cyp2c19', 'clopidogrel', 'order-sign');
    const form =
      /<form method="post" action="([^"]+)">\s*<input type="hidden" name="launchUrl" value="([^"]+)">\s*<input type="hidden" name="appContext" value="([^"]+)">/.exec(
        html,
      );
    expect(form).not.toBeNull();
    const [, action = '', launchUrl = '', appContextEscaped = ''] = form ?? [];
    const appContext = unescapeHtml(appContextEscaped);
    expect(JSON.parse(appContext)).toMatchObject({
      ruleId: 'cyp2c19-clopidogrel-poor-acs-pci',
      drug: 'clopidogrel',
    });
    const jar = new CookieJar();
    const frame = await browse(new URL(action, ehr.url).href, jar, REDIRECT, {
      method: 'POST',
      body: new URLSearchParams({ launchUrl: unescapeHtml(launchUrl), appContext }).toString(),
    });
    if (frame.kind !== 'page') throw new Error('expected the frame page');
    expect(frame.html).toContain('Opened from a CDS card');
    const src = iframeSrc(frame.html);
    expect(src.origin + src.pathname).toBe(`${APP}/launch.html`);
    const smart = (await (
      await fetch(`${src.searchParams.get('iss')}/.well-known/smart-configuration`)
    ).json()) as {
      authorization_endpoint: string;
      token_endpoint: string;
    };
    const verifier = pkce();
    const back = await browse(
      authorizeUrl({
        authorizationEndpoint: smart.authorization_endpoint,
        clientId: CLIENT_ID,
        redirectUri: REDIRECT,
        scope: 'launch openid fhirUser patient/*.rs',
        aud: ehr.fhirBaseUrl,
        launch: src.searchParams.get('launch') ?? '',
        pkce: verifier,
      }),
      jar,
      REDIRECT,
    );
    if (back.kind !== 'callback') throw new Error('expected the redirect to the app');
    const token = await exchangeCode(smart.token_endpoint, {
      code: back.url.searchParams.get('code') ?? '',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT,
      verifier: verifier.verifier,
    });
    expect(token.body).toMatchObject({ patient: 'dev-cyp2c19', appContext });
  });

  test('a request without the EHR’s JWT is refused by the service', async () => {
    const response = await fetch(`${tailor.url}/cds-services/tailor-order-sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hook: 'order-sign', hookInstance: crypto.randomUUID(), context: {} }),
    });
    expect(response.status).toBe(401);
    expect((await fetch(`${tailor.url}/cds-services`)).status).toBe(401);
  });

  test('the EHR publishes only public keys', async () => {
    const jwks = (await (await fetch(ehr.jwksUrl)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-384', alg: 'ES384', use: 'sig' });
    expect(jwks.keys[0]?.d).toBeUndefined();
  });
});

describe('when Tailor cannot answer', () => {
  test('an unreachable service is a clear alert, not an empty result', async () => {
    const port = await freePort();
    const lonely = await startDevEhr({
      cdsServiceUrl: `http://127.0.0.1:${port}`,
      smartApp: { clientId: CLIENT_ID, launchUrl: `${APP}/launch.html`, redirectUris: [REDIRECT] },
    });
    try {
      const response = await fetch(lonely.orderPageUrl('dev-cyp2c19'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'medication=clopidogrel&hook=order-sign',
      });
      const html = await response.text();
      expect(html).toContain('role="alert"');
      expect(html).toContain('data-outcome="unreachable"');
      expect(html).toContain('Tailor could not be reached');
      expect(cards(html)).toEqual([]);
    } finally {
      await lonely.close();
    }
  });

  test('a service that refuses the EHR (it trusts other keys) shows the error status', async () => {
    const other = await startDevEhr({
      cdsServiceUrl: tailor.url,
      smartApp: { clientId: CLIENT_ID, launchUrl: `${APP}/launch.html`, redirectUris: [REDIRECT] },
    });
    try {
      const { html } = await (async () => {
        const response = await fetch(other.orderPageUrl('dev-fvl'), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'medication=ethinylestradiol-levonorgestrel&hook=order-sign',
        });
        return { html: await response.text() };
      })();
      expect(html).toContain('data-outcome="error"');
      expect(html).toContain('data-status="401"');
    } finally {
      await other.close();
    }
  });
});
