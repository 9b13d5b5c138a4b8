import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServiceConfig } from '../../functions/adapters/config';
import type { AssessmentResponse } from '../../functions/http/app-api';
import { type LocalServer, startLocalServer } from '../../functions/server/local-server';
import { buildSmartApp } from '../../smart-app/build';
import { quietLog, quietMetrics } from '../support/doors';

// The local server with TAILOR_SMART_ISSUERS: the app's files under /app/ and its API behind a real id_token,
// signed by a local OpenID issuer whose keys the service discovers.

const CLIENT = 'tailor-test-app';
let issuerServer: Server;
let issuer: string;
let key: CryptoKey;
let jwk: JWK;
let server: LocalServer;
let appDir: string;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  issuerServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/oidc/.well-known/openid-configuration')
      return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    if (req.url === '/oidc/jwks') return res.end(JSON.stringify({ keys: [jwk] }));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}/oidc`;
  appDir = await mkdtemp(join(tmpdir(), 'tailor-app-'));
  await buildSmartApp({ outDir: appDir });
  server = await startLocalServer({
    config: readServiceConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      TAILOR_SMART_ISSUERS: issuer,
      TAILOR_SMART_CLIENT_ID: CLIENT,
      TAILOR_SMART_APP_DIR: appDir,
    }),
    inMemory: true,
    log: quietLog,
    metrics: quietMetrics,
  });
});
afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => issuerServer.close(() => resolve()));
  await rm(appDir, { recursive: true, force: true });
});

async function idToken(aud = CLIENT): Promise<string> {
  return new SignJWT({ fhirUser: 'Practitioner/dr-1' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience(aud)
    .setSubject('dr-1')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}

async function assess(authorization?: string) {
  const bundle = JSON.parse(
    await readFile('examples/bundles/cyp2c19-poor-metabolizer-clopidogrel.json', 'utf8'),
  ) as { entry: { resource: unknown }[] };
  return fetch(`${server.url}/api/assessment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ resources: bundle.entry.map((e) => e.resource) }),
  });
}

describe('the app API over HTTP', () => {
  it('answers a call with the EHR’s id_token', async () => {
    const response = await assess(`Bearer ${await idToken()}`);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as AssessmentResponse;
    expect(answer.recommendations.map((r) => r.ruleId)).toContain('cyp2c19-clopidogrel-poor-acs-pci');
  });

  it('refuses no token and a token for another client, with a bare 401', async () => {
    for (const auth of [undefined, `Bearer ${await idToken('another-app')}`]) {
      const response = await assess(auth);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        issue: [{ code: 'login', diagnostics: 'unauthorized' }],
      });
    }
  });

  it('allows a cross-origin caller (bearer tokens, no cookies)', async () => {
    const response = await fetch(`${server.url}/api/assessment`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://elsewhere.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('the app’s files', () => {
  it('serves the pages with a strict CSP that lets the EHR frame the app and be called', async () => {
    const page = await fetch(`${server.url}/app/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    const csp = page.headers.get('content-security-policy') ?? '';
    const origin = new URL(issuer).origin;
    expect(csp).toContain(`frame-ancestors 'self' ${origin}`);
    expect(csp).toContain(`connect-src 'self' ${origin}`);
    expect(csp).toContain("script-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const launch = await fetch(`${server.url}/app/launch.html`);
    expect(launch.status).toBe(200);
    expect((await fetch(`${server.url}/app/app.js`)).headers.get('content-type')).toMatch(/javascript/);
  });

  it('serves the run-time configuration with the client id', async () => {
    const response = await fetch(`${server.url}/app/config.json`);
    expect(await response.json()).toEqual({ clientId: CLIENT });
  });

  it('redirects /app to /app/ and leaves other paths to the API', async () => {
    const redirect = await fetch(`${server.url}/app`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/app/');
    expect((await fetch(`${server.url}/app/missing.js`)).status).toBe(404);
    const other = await fetch(`${server.url}/apple`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });
});
