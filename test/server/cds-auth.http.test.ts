import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CYP2C19_POOR,
  clopidogrelConcept,
  fullPrefetch,
  medicationRequest,
  orderSign,
} from '../support/cds-fixtures';
import { type Door, httpDoor } from '../support/doors';

// The JWT matrix over HTTP: the local server with trusted CDS clients configured from TAILOR_CDS_CLIENTS.

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const SIGN = '/cds-services/tailor-order-sign';
let door: Door;
let dir: string;
let es384: Key;
let rs384: Key;
let other: Key;

async function publicJwk(pair: { publicKey: Key }, kid: string, alg: string): Promise<JWK> {
  return { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
}

beforeAll(async () => {
  const es = await generateKeyPair('ES384', { extractable: true });
  const rs = await generateKeyPair('RS384', { extractable: true });
  const ot = await generateKeyPair('ES384', { extractable: true });
  es384 = es.privateKey;
  rs384 = rs.privateKey;
  other = ot.privateKey;
  dir = await mkdtemp(join(tmpdir(), 'tailor-auth-'));
  const clients = {
    clients: [
      {
        iss: 'https://ehr.region.example',
        jwks: { keys: [await publicJwk(es, 'es-1', 'ES384'), await publicJwk(rs, 'rs-1', 'RS384')] },
        jku: [],
      },
      {
        iss: 'https://epic.region.example',
        jwks: { keys: [await publicJwk(es, 'epic-1', 'ES384')] },
        maxTokenLifetimeSeconds: 900,
      },
    ],
  };
  const file = join(dir, 'clients.json');
  await writeFile(file, JSON.stringify(clients));
  door = await httpDoor({ TAILOR_CDS_CLIENTS: file });
});
afterAll(async () => {
  await door?.close();
  await rm(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);

interface TokenSpec {
  alg?: string;
  kid?: string;
  key?: Key | Uint8Array;
  iss?: string;
  aud?: string;
  iat?: number;
  exp?: number;
  nbf?: number;
  jti?: string;
  sub?: string;
  jku?: string;
}

async function token(spec: TokenSpec = {}): Promise<string> {
  const iat = spec.iat ?? now();
  const jwt = new SignJWT({ ...(spec.sub ? { sub: spec.sub } : {}), ...(spec.nbf ? { nbf: spec.nbf } : {}) })
    .setProtectedHeader({
      alg: spec.alg ?? 'ES384',
      kid: spec.kid ?? 'es-1',
      typ: 'JWT',
      ...(spec.jku ? { jku: spec.jku } : {}),
    })
    .setIssuer(spec.iss ?? 'https://ehr.region.example')
    .setAudience(spec.aud ?? `${door.url}${SIGN}`)
    .setIssuedAt(iat)
    .setExpirationTime(spec.exp ?? iat + 240)
    .setJti(spec.jti ?? randomUUID());
  return jwt.sign(spec.key ?? es384);
}

function unsigned(): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT', kid: 'es-1' })}.${part({ iss: 'https://ehr.region.example', aud: `${door.url}${SIGN}`, iat: now(), exp: now() + 60, jti: randomUUID() })}.`;
}

const body = () =>
  orderSign(
    'p-auth',
    [medicationRequest('mr-auth', 'p-auth', clopidogrelConcept)],
    fullPrefetch('p-auth', [CYP2C19_POOR('p-auth')]),
  );
const call = (authorization?: string) =>
  door.send({
    method: 'POST',
    path: SIGN,
    body: body(),
    ...(authorization ? { headers: { authorization } } : {}),
  });

describe('CDS client JWT over HTTP', () => {
  test.each<[string, () => Promise<string | undefined>]>([
    ['missing token', async () => undefined],
    ['alg none', async () => `Bearer ${unsigned()}`],
    [
      'HS256',
      async () =>
        `Bearer ${await token({ alg: 'HS256', key: new TextEncoder().encode('a-shared-secret-of-32-bytes-long!') })}`,
    ],
    ['unknown kid', async () => `Bearer ${await token({ kid: 'nope' })}`],
    ['bad signature', async () => `Bearer ${await token({ key: other })}`],
    ['unknown iss', async () => `Bearer ${await token({ iss: 'https://stranger.example' })}`],
    ['unlisted jku', async () => `Bearer ${await token({ jku: 'http://127.0.0.1:9/jwks.json' })}`],
    [
      'wrong aud',
      async () =>
        `Bearer ${await token({ aud: 'https://elsewhere.example/cds-services/tailor-order-sign' })}`,
    ],
    ['expired', async () => `Bearer ${await token({ iat: now() - 600, exp: now() - 300 })}`],
    [
      'not yet valid',
      async () => `Bearer ${await token({ iat: now() + 600, exp: now() + 800, nbf: now() + 600 })}`,
    ],
    ['over-long lifetime', async () => `Bearer ${await token({ exp: now() + 3600 })}`],
    ['not a bearer token', async () => 'Basic dXNlcjpwYXNz'],
  ])('%s → 401 with no detail', async (_name, make) => {
    const reply = await call(await make());
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'login', diagnostics: 'unauthorized' }],
    });
  });

  test('a replayed jti → 401', async () => {
    const jwt = await token({ jti: 'replay-me' });
    expect((await call(`Bearer ${jwt}`)).status).toBe(200);
    expect((await call(`Bearer ${jwt}`)).status).toBe(401);
  });

  test.each([
    ['ES384', () => token()],
    ['RS384', () => token({ alg: 'RS384', kid: 'rs-1', key: rs384 })],
    [
      'Epic-style: sub, nbf and a 15-minute lifetime',
      () =>
        token({
          iss: 'https://epic.region.example',
          kid: 'epic-1',
          sub: 'epic-client',
          nbf: now() - 5,
          exp: now() + 900,
        }),
    ],
  ])('valid %s token → 200 with cards', async (_name, make) => {
    const reply = await call(`Bearer ${await make()}`);
    expect(reply.status).toBe(200);
    expect((reply.json as { cards: unknown[] }).cards.length).toBe(1);
  });

  test('with trusted clients, a plain-http fhirServer other than loopback is refused (400): its token would travel in clear', async () => {
    const request = {
      ...body(),
      fhirServer: 'http://ehr.region.example/fhir',
      fhirAuthorization: {
        access_token: 'x',
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'patient/*.read',
        subject: 'tailor',
      },
    };
    const reply = await door.send({
      method: 'POST',
      path: SIGN,
      body: request,
      headers: { authorization: `Bearer ${await token()}` },
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.json)).toContain('https');
  });

  test('discovery and feedback also require the token', async () => {
    expect((await door.send({ method: 'GET', path: '/cds-services' })).status).toBe(401);
    const aud = `${door.url}/cds-services`;
    const ok = await door.send({
      method: 'GET',
      path: '/cds-services',
      headers: { authorization: `Bearer ${await token({ aud })}` },
    });
    expect(ok.status).toBe(200);
    const feedback = {
      feedback: [{ card: 'c', outcome: 'overridden', outcomeTimestamp: '2026-11-27T10:00:00Z' }],
    };
    expect((await door.send({ method: 'POST', path: `${SIGN}/feedback`, body: feedback })).status).toBe(401);
  });
});
