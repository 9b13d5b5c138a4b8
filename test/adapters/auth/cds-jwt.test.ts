import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import {
  base64url,
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CdsClientConfig } from '../../../functions/adapters/auth/cds-client-config';
import {
  type CdsAuthenticator,
  type CdsAuthResult,
  createCdsAuthenticator,
} from '../../../functions/adapters/auth/cds-jwt';
import { MemoryReplayCache, type ReplayCache } from '../../../functions/adapters/auth/replay-cache';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const nowSeconds = NOW / 1000;
const CALLED = 'https://tailor.example.org/cds-services/tailor-order-select';

const ISS_A = 'https://ehr-a.example.org/fhir';
const ISS_B = 'https://ehr-b.example.org';
const ISS_EPIC = 'https://epic.example.org/interconnect-cds';
const ISS_SLOW = 'https://slow.example.org';

interface Signer {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signer(alg: 'ES384' | 'RS384' | 'ES256' | 'EdDSA', kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig' } };
}

let es384: Signer;
let rs384: Signer;
let remote: Signer;
let viaJku: Signer;
let rogue: Signer;
let epic: Signer;
let impostor: Signer;
let ed25519: Signer;

/** Paths the JWKS server was asked for, in order. */
const requested: string[] = [];
let server: Server;
const pendingTimers = new Set<NodeJS.Timeout>();
let base: string;
let authenticate: CdsAuthenticator;

beforeAll(async () => {
  [es384, rs384, remote, viaJku, rogue, epic, ed25519] = await Promise.all([
    signer('ES384', 'a-es384'),
    signer('RS384', 'a-rs384'),
    signer('ES256', 'b-remote'),
    signer('ES384', 'a-rotated'),
    signer('ES384', 'rogue-1'),
    signer('RS384', 'epic-2026'),
    signer('EdDSA', 'a-ed25519'),
  ]);
  // Same kid as a trusted key, different key pair.
  impostor = await signer('ES384', 'a-es384');

  const sets: Record<string, JWK[]> = {
    '/b/jwks.json': [remote.jwk],
    '/a/jku-allowed.json': [viaJku.jwk],
    '/rogue.json': [rogue.jwk],
    '/epic/jwks': [epic.jwk],
  };
  server = createServer((req, res) => {
    const path = req.url ?? '';
    requested.push(path);
    const keys = sets[path];
    if (path === '/slow/jwks') {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
      }, 1000);
      pendingTimers.add(timer);
      return;
    }
    if (!keys) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clients: CdsClientConfig[] = [
    { iss: ISS_A, jwks: { keys: [es384.jwk, rs384.jwk, ed25519.jwk] }, jku: [`${base}/a/jku-allowed.json`] },
    { iss: ISS_B, jwks_uri: `${base}/b/jwks.json` },
    { iss: ISS_EPIC, jwks_uri: `${base}/epic/jwks`, maxTokenLifetimeSeconds: 900, tenant: 'region-h' },
    { iss: ISS_SLOW, jwks_uri: `${base}/slow/jwks` },
  ];
  authenticate = createCdsAuthenticator({
    clients,
    replayCache: new MemoryReplayCache({ now: () => NOW }),
    now: () => NOW,
    fetchTimeoutMs: 200,
  });
});

afterAll(async () => {
  for (const timer of pendingTimers) clearTimeout(timer);
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

function claims(overrides: JWTPayload = {}): JWTPayload {
  return { iss: ISS_A, aud: CALLED, iat: nowSeconds, exp: nowSeconds + 120, jti: randomUUID(), ...overrides };
}

async function sign(
  by: Signer,
  payload: JWTPayload = claims(),
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: by.alg, kid: by.kid, typ: 'JWT', ...header })
    .sign(by.privateKey);
}

function check(token: string | undefined, url = CALLED): Promise<CdsAuthResult> {
  return authenticate({ authorization: token === undefined ? undefined : `Bearer ${token}`, url });
}

function rejected(reason: string): CdsAuthResult {
  return { ok: false, reason } as CdsAuthResult;
}

/** An unsigned token, as an attacker would hand-write it. */
function unsigned(header: Record<string, unknown>, payload: JWTPayload): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.`;
}

describe('createCdsAuthenticator: accepted tokens', () => {
  it('accepts an ES384 token whose kid is in the inline key set', async () => {
    expect(await check(await sign(es384))).toEqual({ ok: true, iss: ISS_A });
  });

  it('accepts an RS384 token whose kid is in the inline key set, aud as an array', async () => {
    const token = await sign(rs384, claims({ aud: ['https://other.example.org', CALLED] }));
    expect(await check(token)).toEqual({ ok: true, iss: ISS_A });
  });

  it('accepts an EdDSA token', async () => {
    expect(await check(await sign(ed25519))).toEqual({ ok: true, iss: ISS_A });
  });

  it('accepts a token signed by a key published at the client jwks_uri', async () => {
    const token = await sign(remote, claims({ iss: ISS_B }));
    expect(await check(token)).toEqual({ ok: true, iss: ISS_B });
    expect(requested).toContain('/b/jwks.json');
  });

  it('accepts a token whose jku header is on the client allow-list, with the key found there', async () => {
    const token = await sign(viaJku, claims(), { jku: `${base}/a/jku-allowed.json` });
    expect(await check(token)).toEqual({ ok: true, iss: ISS_A });
    expect(requested).toContain('/a/jku-allowed.json');
  });

  it('accepts a jku naming the client own jwks_uri', async () => {
    const token = await sign(remote, claims({ iss: ISS_B }), { jku: `${base}/b/jwks.json` });
    expect(await check(token)).toEqual({ ok: true, iss: ISS_B });
  });

  it('accepts an Epic-style token: sub, nbf, 15-minute lifetime, tenant, for a client allowing 900 s', async () => {
    const token = await sign(
      epic,
      claims({
        iss: ISS_EPIC,
        sub: 'epic-user-42',
        nbf: nowSeconds - 5,
        iat: nowSeconds - 5,
        exp: nowSeconds - 5 + 900,
        tenant: 'region-h',
      }),
    );
    expect(await check(token)).toEqual({ ok: true, iss: ISS_EPIC, tenant: 'region-h', sub: 'epic-user-42' });
  });

  it('tolerates clocks apart by less than the skew, and a typ spelt application/jwt or absent', async () => {
    expect(
      await check(await sign(es384, claims({ iat: nowSeconds - 150, exp: nowSeconds - 30 }))),
    ).toMatchObject({ ok: true });
    expect(
      await check(await sign(es384, claims({ iat: nowSeconds + 50, exp: nowSeconds + 100 }))),
    ).toMatchObject({ ok: true });
    expect(await check(await sign(es384, claims(), { typ: 'application/jwt' }))).toMatchObject({ ok: true });
    expect(await check(await sign(es384, claims(), { typ: undefined }))).toMatchObject({ ok: true });
  });
});

describe('createCdsAuthenticator: rejected tokens', () => {
  it('rejects a request without a token', async () => {
    expect(await authenticate({ authorization: undefined, url: CALLED })).toEqual(rejected('missing-token'));
    expect(await authenticate({ authorization: '  ', url: CALLED })).toEqual(rejected('missing-token'));
  });

  it('rejects a malformed token or another scheme', async () => {
    const valid = await sign(es384);
    for (const authorization of [
      'Bearer not-a-jwt',
      'Bearer a.b.c',
      `Basic ${valid}`,
      valid,
      `Bearer ${valid}.extra.parts`,
      `Bearer ${'a'.repeat(20_000)}.${valid}`,
    ]) {
      expect(await authenticate({ authorization, url: CALLED })).toEqual(rejected('malformed-token'));
    }
  });

  it('rejects alg none', async () => {
    expect(await check(unsigned({ alg: 'none', kid: 'a-es384', typ: 'JWT' }, claims()))).toEqual(
      rejected('disallowed-alg'),
    );
  });

  it('rejects an HS256 token signed with a shared secret', async () => {
    const secret = new TextEncoder().encode('a-shared-secret-that-is-long-enough-32b');
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: 'a-es384' })
      .sign(secret);
    expect(await check(token)).toEqual(rejected('disallowed-alg'));
  });

  it('rejects a typ other than JWT', async () => {
    expect(await check(await sign(es384, claims(), { typ: 'at+jwt' }))).toEqual(rejected('bad-typ'));
  });

  it('rejects an unknown kid, and a token without kid', async () => {
    expect(await check(await sign({ ...es384, kid: 'not-there' }))).toEqual(rejected('unknown-kid'));
    expect(await check(await sign(es384, claims(), { kid: undefined }))).toEqual(rejected('missing-kid'));
  });

  it('rejects a bad signature (another key under a trusted kid)', async () => {
    expect(await check(await sign(impostor))).toEqual(rejected('bad-signature'));
  });

  it('rejects an unknown issuer', async () => {
    const token = await sign(es384, claims({ iss: 'https://unknown.example.org' }));
    expect(await check(token)).toEqual(rejected('unknown-issuer'));
    expect(await check(await sign(es384, claims({ iss: undefined })))).toEqual(rejected('unknown-issuer'));
  });

  it('rejects an unlisted jku without ever requesting it', async () => {
    const token = await sign(rogue, claims(), { jku: `${base}/rogue.json` });
    expect(await check(token)).toEqual(rejected('unlisted-jku'));
    // Another client's jwks_uri is not this client's to use either.
    const crossed = await sign(remote, claims(), { jku: `${base}/b/jwks.json` });
    expect(await check(crossed)).toEqual(rejected('unlisted-jku'));
    expect(requested).not.toContain('/rogue.json');
  });

  it('rejects a key that is in an allowed jku set only when the token does not name that jku', async () => {
    expect(await check(await sign(viaJku))).toEqual(rejected('unknown-kid'));
  });

  it('rejects a wrong aud, a missing aud, and an aud list without the called URL', async () => {
    expect(await check(await sign(es384), `${CALLED}/feedback`)).toEqual(rejected('wrong-audience'));
    expect(
      await check(await sign(es384, claims({ aud: 'https://tailor.example.org/cds-services' }))),
    ).toEqual(rejected('wrong-audience'));
    expect(await check(await sign(es384, claims({ aud: undefined })))).toEqual(rejected('wrong-audience'));
    expect(await check(await sign(es384, claims({ aud: ['https://x.example.org'] })))).toEqual(
      rejected('wrong-audience'),
    );
  });

  it('rejects an expired token (beyond the skew)', async () => {
    const token = await sign(es384, claims({ iat: nowSeconds - 200, exp: nowSeconds - 61 }));
    expect(await check(token)).toEqual(rejected('expired'));
  });

  it('rejects a token not yet valid: nbf and iat in the future beyond the skew, or iat alone', async () => {
    const both = claims({ nbf: nowSeconds + 120, iat: nowSeconds + 120, exp: nowSeconds + 300 });
    expect(await check(await sign(es384, both))).toEqual(rejected('not-yet-valid'));
    const iatOnly = claims({ iat: nowSeconds + 61, exp: nowSeconds + 200 });
    expect(await check(await sign(es384, iatOnly))).toEqual(rejected('not-yet-valid'));
  });

  it('rejects a replayed jti, and a rejected token does not use up its jti', async () => {
    const jti = randomUUID();
    expect(await check(await sign(es384, claims({ jti, aud: 'https://elsewhere.example.org' })))).toEqual(
      rejected('wrong-audience'),
    );
    const token = await sign(es384, claims({ jti }));
    expect(await check(token)).toMatchObject({ ok: true });
    expect(await check(token)).toEqual(rejected('replayed-jti'));
    // Same jti, freshly signed: still a replay.
    expect(await check(await sign(rs384, claims({ jti })))).toEqual(rejected('replayed-jti'));
  });

  it('keys the replay cache by issuer and jti: the same jti from another issuer is not a replay', async () => {
    const jti = randomUUID();
    expect(await check(await sign(es384, claims({ jti })))).toMatchObject({ ok: true });
    expect(await check(await sign(remote, claims({ jti, iss: ISS_B })))).toMatchObject({ ok: true });
  });

  it('rejects a missing or empty jti, exp or iat', async () => {
    expect(await check(await sign(es384, claims({ jti: undefined })))).toEqual(rejected('missing-jti'));
    expect(await check(await sign(es384, claims({ jti: '' })))).toEqual(rejected('missing-jti'));
    expect(await check(await sign(es384, claims({ exp: undefined })))).toEqual(rejected('missing-exp'));
    expect(await check(await sign(es384, claims({ iat: undefined })))).toEqual(rejected('missing-iat'));
  });

  it('rejects a lifetime over the client maximum (300 s by default, 900 s for the Epic client)', async () => {
    expect(await check(await sign(es384, claims({ exp: nowSeconds + 301 })))).toEqual(
      rejected('lifetime-too-long'),
    );
    expect(await check(await sign(es384, claims({ exp: nowSeconds + 900 })))).toEqual(
      rejected('lifetime-too-long'),
    );
    const epicLong = claims({ iss: ISS_EPIC, tenant: 'region-h', exp: nowSeconds + 901 });
    expect(await check(await sign(epic, epicLong))).toEqual(rejected('lifetime-too-long'));
  });

  it('rejects a wrong or missing tenant when the client names one', async () => {
    const wrong = claims({ iss: ISS_EPIC, tenant: 'region-sj' });
    expect(await check(await sign(epic, wrong))).toEqual(rejected('wrong-tenant'));
    expect(await check(await sign(epic, claims({ iss: ISS_EPIC })))).toEqual(rejected('wrong-tenant'));
  });

  it('rejects when the key set cannot be fetched in time', async () => {
    const token = await sign(remote, claims({ iss: ISS_SLOW }));
    const started = performance.now();
    expect(await check(token)).toEqual(rejected('jwks-unavailable'));
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('rejects (fails closed) when the replay cache cannot answer', async () => {
    const broken: ReplayCache = { claim: () => Promise.reject(new Error('store down')) };
    const strict = createCdsAuthenticator({
      clients: [{ iss: ISS_A, jwks: { keys: [es384.jwk] } }],
      replayCache: broken,
      now: () => NOW,
    });
    const result = await strict({ authorization: `Bearer ${await sign(es384)}`, url: CALLED });
    expect(result).toEqual(rejected('replay-check-failed'));
  });

  it('honours a configured clock skew', async () => {
    const tight = createCdsAuthenticator({
      clients: [{ iss: ISS_A, jwks: { keys: [es384.jwk] } }],
      replayCache: new MemoryReplayCache({ now: () => NOW }),
      clockSkewSeconds: 5,
      now: () => NOW,
    });
    const lateBy10 = await sign(es384, claims({ iat: nowSeconds - 100, exp: nowSeconds - 10 }));
    expect(await tight({ authorization: `Bearer ${lateBy10}`, url: CALLED })).toEqual(rejected('expired'));
    const lateBy3 = await sign(es384, claims({ iat: nowSeconds - 100, exp: nowSeconds - 3 }));
    expect(await tight({ authorization: `Bearer ${lateBy3}`, url: CALLED })).toMatchObject({ ok: true });
  });

  it('logs nothing and returns nothing of the token', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => {}),
    );
    try {
      const results = [
        await check(await sign(impostor)),
        await check(await sign(es384, claims({ tenant: 'x', exp: nowSeconds + 1000 }))),
        await check(unsigned({ alg: 'none' }, claims())),
      ];
      for (const result of results) expect(Object.keys(result).sort()).toEqual(['ok', 'reason']);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('createCdsAuthenticator: garbage', () => {
  const segment = fc.oneof(
    fc.string(),
    fc.base64String(),
    fc.json().map((json) => base64url.encode(json)),
    fc.constantFrom('', 'e30', 'eyJhbGciOiJub25lIn0', 'eyJhbGciOiJFUzM4NCIsImtpZCI6ImEtZXMzODQifQ'),
  );
  const authorization = fc.oneof(
    fc.constant(undefined),
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `Bearer ${parts.join('.')}`),
    fc
      .tuple(fc.constantFrom('Bearer ', 'bearer ', 'Bearer  ', 'BEARER\t', ''), segment, segment, segment)
      .map(([scheme, a, b, c]) => `${scheme}${a}.${b}.${c}`),
  );

  it('never throws and always rejects random Authorization values', async () => {
    await fc.assert(
      fc.asyncProperty(authorization, async (value) => {
        const result = await authenticate({ authorization: value, url: CALLED });
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
