import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdTokenVerifier,
  discoverJwksUri,
  type IdTokenVerifier,
} from '../../../functions/adapters/auth/smart-id-token';

// A local OpenID issuer (discovery document + JWKS), a second one known only through its SMART configuration,
// and one whose discovery names another issuer. Real keys, real HTTP.

const CLIENT = 'tailor-smart-app';
const NOW = Date.UTC(2026, 5, 1, 9, 0, 0);
const nowSeconds = NOW / 1000;

interface Signer {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signer(alg: 'RS256' | 'ES256', kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let server: Server;
let base: string;
let rs: Signer;
let es: Signer;
let rogue: Signer;
const requested: string[] = [];
let issuer: string;
let smartOnly: string;
let liar: string;
let down: string;

beforeAll(async () => {
  rs = await signer('RS256', 'rs-1');
  es = await signer('ES256', 'es-1');
  rogue = await signer('RS256', 'rs-1');
  server = createServer((req, res) => {
    const path = req.url ?? '';
    requested.push(path);
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/oidc/.well-known/openid-configuration')
      return json({ issuer: `${base}/oidc`, jwks_uri: `${base}/oidc/jwks` });
    if (path === '/oidc/jwks') return json({ keys: [rs.jwk, es.jwk] });
    if (path === '/smart/.well-known/smart-configuration') return json({ jwks_uri: `${base}/smart/keys` });
    if (path === '/smart/keys') return json({ keys: [es.jwk] });
    if (path === '/liar/.well-known/openid-configuration')
      return json({ issuer: `${base}/oidc`, jwks_uri: `${base}/oidc/jwks` });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = `${base}/oidc`;
  smartOnly = `${base}/smart`;
  liar = `${base}/liar`;
  down = `${base}/down`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function verifier(overrides: Partial<Parameters<typeof createIdTokenVerifier>[0]> = {}): IdTokenVerifier {
  return createIdTokenVerifier({
    issuers: [issuer, smartOnly, liar, down],
    clientId: CLIENT,
    now: () => NOW,
    ...overrides,
  });
}

interface Spec {
  key?: Signer;
  kid?: string;
  alg?: string;
  iss?: string;
  aud?: string | string[];
  azp?: string;
  sub?: string | null;
  iat?: number;
  exp?: number;
  fhirUser?: string;
}

async function token(spec: Spec = {}): Promise<string> {
  const key = spec.key ?? rs;
  const iat = spec.iat ?? nowSeconds - 10;
  const jwt = new SignJWT({
    ...(spec.fhirUser ? { fhirUser: spec.fhirUser } : {}),
    ...(spec.azp ? { azp: spec.azp } : {}),
  })
    .setProtectedHeader({ alg: spec.alg ?? key.alg, kid: spec.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(spec.iss ?? issuer)
    .setAudience(spec.aud ?? CLIENT)
    .setIssuedAt(iat)
    .setExpirationTime(spec.exp ?? iat + 3600);
  if (spec.sub !== null) jwt.setSubject(spec.sub ?? 'practitioner-17');
  return jwt.sign(key.privateKey);
}

const bearer = (t: string) => `Bearer ${t}`;

describe('id_token verification', () => {
  it('accepts a token from an allow-listed issuer, for this client, with the user it names', async () => {
    const result = await verifier()(bearer(await token({ fhirUser: `${issuer}/Practitioner/17` })));
    expect(result).toEqual({
      ok: true,
      iss: issuer,
      sub: 'practitioner-17',
      fhirUser: `${issuer}/Practitioner/17`,
    });
    expect(await verifier()(bearer(await token({ key: es })))).toMatchObject({ ok: true });
  });

  it('finds the keys through the SMART configuration when there is no OpenID discovery document', async () => {
    const result = await verifier()(bearer(await token({ key: es, iss: smartOnly })));
    expect(result).toMatchObject({ ok: true, iss: smartOnly });
  });

  it.each([
    ['no header', undefined, 'missing-token'],
    ['an empty header', '  ', 'missing-token'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'malformed-token'],
    ['not a JWT', 'Bearer abc.def', 'malformed-token'],
  ])('refuses %s', async (_name, header, reason) => {
    expect(await verifier()(header)).toEqual({ ok: false, reason });
  });

  it('refuses a shared-secret or unsigned token', async () => {
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer)
      .setAudience(CLIENT)
      .setSubject('x')
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + 60)
      .sign(new TextEncoder().encode('a-shared-secret-that-is-long-enough'));
    expect(await verifier()(bearer(hs))).toEqual({ ok: false, reason: 'disallowed-alg' });
    const [, payload] = hs.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    expect(await verifier()(bearer(none))).toEqual({ ok: false, reason: 'disallowed-alg' });
  });

  it('compares the issuer exactly: unknown issuers and near misses are refused before any download', async () => {
    const before = requested.length;
    expect(await verifier()(bearer(await token({ iss: 'https://evil.example.org' })))).toEqual({
      ok: false,
      reason: 'unknown-issuer',
    });
    expect(await verifier()(bearer(await token({ iss: `${issuer}/` })))).toEqual({
      ok: false,
      reason: 'unknown-issuer',
    });
    expect(requested.length).toBe(before);
  });

  it('refuses a token for another client (aud), or one authorized for another party (azp)', async () => {
    expect(await verifier()(bearer(await token({ aud: 'some-other-app' })))).toEqual({
      ok: false,
      reason: 'wrong-audience',
    });
    expect(await verifier()(bearer(await token({ aud: [CLIENT, 'other'] })))).toEqual({
      ok: false,
      reason: 'wrong-azp',
    });
    expect(await verifier()(bearer(await token({ aud: [CLIENT, 'other'], azp: CLIENT })))).toMatchObject({
      ok: true,
    });
    expect(await verifier()(bearer(await token({ azp: 'other' })))).toEqual({
      ok: false,
      reason: 'wrong-azp',
    });
  });

  it('refuses expired, future and over-long tokens, within the clock skew', async () => {
    const v = verifier();
    expect(await v(bearer(await token({ iat: nowSeconds - 7200, exp: nowSeconds - 61 })))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await v(bearer(await token({ iat: nowSeconds - 7200, exp: nowSeconds - 30 })))).toMatchObject({
      ok: true,
    });
    expect(await v(bearer(await token({ iat: nowSeconds + 600 })))).toEqual({
      ok: false,
      reason: 'not-yet-valid',
    });
    expect(await v(bearer(await token({ iat: nowSeconds - 10, exp: nowSeconds + 3 * 86_400 })))).toEqual({
      ok: false,
      reason: 'lifetime-too-long',
    });
  });

  it('refuses a token without a subject', async () => {
    expect(await verifier()(bearer(await token({ sub: null })))).toEqual({
      ok: false,
      reason: 'missing-claim',
    });
  });

  it('refuses a forged signature and an unknown key', async () => {
    expect(await verifier()(bearer(await token({ key: rogue })))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(await verifier()(bearer(await token({ kid: 'not-there' })))).toEqual({
      ok: false,
      reason: 'unknown-kid',
    });
  });

  it('refuses when discovery fails or names another issuer', async () => {
    expect(await verifier()(bearer(await token({ iss: down })))).toEqual({
      ok: false,
      reason: 'discovery-failed',
    });
    expect(await verifier()(bearer(await token({ iss: liar })))).toEqual({
      ok: false,
      reason: 'discovery-failed',
    });
  });

  it('discovers once per issuer and caches the keys', async () => {
    const v = verifier();
    const before = requested.filter((p) => p.startsWith('/oidc/')).length;
    for (let i = 0; i < 5; i += 1) expect(await v(bearer(await token()))).toMatchObject({ ok: true });
    const after = requested.filter((p) => p.startsWith('/oidc/')).length;
    expect(after - before).toBe(2); // the discovery document and the JWKS, once each
  });

  it('reads jwks_uri only from a discovery document that names the issuer', async () => {
    expect(await discoverJwksUri(issuer, fetch, 1000)).toBe(`${base}/oidc/jwks`);
    expect(await discoverJwksUri(liar, fetch, 1000)).toBeUndefined();
    expect(await discoverJwksUri(down, fetch, 1000)).toBeUndefined();
  });
});
