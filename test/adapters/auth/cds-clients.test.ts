import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CDS_CLIENTS_ENV, ConfigError } from '../../../functions/adapters/auth/cds-client-config';
import {
  loadCdsClients,
  loadCdsClientsFromEnv,
  parseCdsClients,
} from '../../../functions/adapters/auth/cds-clients';

let dir: string;
let publicJwk: JWK;
let privateJwk: JWK;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tailor-cds-clients-'));
  const pair = await generateKeyPair('ES384', { extractable: true });
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'ehr-key-1', alg: 'ES384', use: 'sig' };
  privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'ehr-key-1' };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function inlineClient(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: 'https://ehr.example.org', jwks: { keys: [publicJwk] }, ...extra };
}

describe('parseCdsClients', () => {
  it('accepts inline keys and jwks_uri clients with jku, tenant and lifetime', () => {
    const { clients, errors } = parseCdsClients({
      clients: [
        inlineClient({ jku: ['https://ehr.example.org/keys/2.json'], tenant: 'region-h' }),
        {
          iss: 'https://epic.example.org/interconnect',
          jwks_uri: 'https://epic.example.org/interconnect/api/epic/2019/Security/Open/PublicKeys/jwks',
          maxTokenLifetimeSeconds: 900,
          description: 'Epic test environment',
        },
        { iss: 'dev-ehr', jwks_uri: 'http://127.0.0.1:8081/jwks.json' },
      ],
    });
    expect(errors).toEqual([]);
    expect(clients?.map((c) => c.iss)).toEqual([
      'https://ehr.example.org',
      'https://epic.example.org/interconnect',
      'dev-ehr',
    ]);
    expect(clients?.[1]?.maxTokenLifetimeSeconds).toBe(900);
  });

  it('names a missing iss', () => {
    const { clients, errors } = parseCdsClients({ clients: [{ jwks: { keys: [publicJwk] } }] });
    expect(clients).toBeUndefined();
    expect(errors).toContain('clients[0].iss: is required');
  });

  it('refuses both jwks and jwks_uri', () => {
    const { errors } = parseCdsClients({
      clients: [inlineClient({ jwks_uri: 'https://ehr.example.org/jwks.json' })],
    });
    expect(errors).toEqual(['clients[0]: give either "jwks" (inline keys) or "jwks_uri", not both']);
  });

  it('refuses neither jwks nor jwks_uri', () => {
    const { errors } = parseCdsClients({ clients: [{ iss: 'https://a.example.org' }] });
    expect(errors).toEqual([
      'clients[0]: needs "jwks" (inline public keys) or "jwks_uri" (where the keys are published)',
    ]);
  });

  it('refuses a jwks_uri or jku that is not a URL, or not https off loopback', () => {
    const { errors } = parseCdsClients({
      clients: [
        { iss: 'https://a.example.org', jwks_uri: 'not a url' },
        inlineClient({
          iss: 'https://b.example.org',
          jku: ['https://b.example.org/ok', 'http://b.example.org/k'],
        }),
        { iss: 'https://c.example.org', jwks_uri: 'https://user:pw@c.example.org/jwks' },
      ],
    });
    expect(errors).toEqual([
      'clients[0].jwks_uri: "not a url" is not an absolute URL',
      'clients[1].jku[1]: must be an https URL (plain http only on loopback, for development)',
      'clients[2].jwks_uri: must not carry credentials',
    ]);
  });

  it('refuses private key material, symmetric keys and keys without kid', () => {
    const { kid: _kid, ...noKid } = publicJwk;
    expect(parseCdsClients({ clients: [inlineClient({ jwks: { keys: [privateJwk] } })] }).errors).toEqual([
      'clients[0].jwks.keys[0]: holds private key material (d); give the public key only',
    ]);
    expect(
      parseCdsClients({
        clients: [inlineClient({ jwks: { keys: [{ kty: 'oct', kid: 's', k: 'c2VjcmV0' }] } })],
      }).errors,
    ).toEqual(['clients[0].jwks.keys[0].kty: must be one of RSA, EC, OKP']);
    expect(parseCdsClients({ clients: [inlineClient({ jwks: { keys: [noKid] } })] }).errors).toEqual([
      'clients[0].jwks.keys[0].kid: is required',
    ]);
    const { y: _y, ...noY } = publicJwk;
    expect(parseCdsClients({ clients: [inlineClient({ jwks: { keys: [noY] } })] }).errors).toEqual([
      'clients[0].jwks.keys[0].y: is required',
    ]);
    expect(
      parseCdsClients({ clients: [inlineClient({ jwks: { keys: [{ ...publicJwk, crv: 'secp256k1' }] } })] })
        .errors,
    ).toEqual(['clients[0].jwks.keys[0].crv: must be one of P-256, P-384, P-521']);
  });

  it('refuses an HMAC alg on a key, a misspelt field, a lifetime out of range and a repeated issuer', () => {
    const { errors } = parseCdsClients({
      clients: [
        inlineClient({ jwks: { keys: [{ ...publicJwk, alg: 'HS256' }] } }),
        inlineClient({ iss: 'https://b.example.org', jwks_url: 'https://b.example.org/jwks' }),
        inlineClient({ iss: 'https://c.example.org', maxTokenLifetimeSeconds: 86_400 }),
        inlineClient({ iss: 'https://c.example.org' }),
      ],
    });
    expect(errors).toContain(
      'clients[0].jwks.keys[0].alg: must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519',
    );
    expect(errors).toContain('clients[1].jwks_url: is not a known field');
    expect(errors).toContain('clients[2].maxTokenLifetimeSeconds: must be <= 3600');
    const dup = parseCdsClients({
      clients: [
        inlineClient({ iss: 'https://c.example.org' }),
        inlineClient({ iss: 'https://c.example.org' }),
      ],
    });
    expect(dup.errors).toEqual(['clients[1].iss: "https://c.example.org" is configured twice']);
  });

  it('refuses a file without clients or with an empty list', () => {
    expect(parseCdsClients({}).errors).toEqual(['clients: is required']);
    expect(parseCdsClients({ clients: [] }).errors).toEqual(['clients: must NOT have fewer than 1 items']);
    expect(parseCdsClients([]).errors).toEqual(['(top level): must be object']);
  });
});

describe('loadCdsClients', () => {
  it('loads a valid file', async () => {
    const path = await fileWith('valid.json', JSON.stringify({ clients: [inlineClient()] }));
    const clients = await loadCdsClients(path);
    expect(clients).toHaveLength(1);
    expect(clients[0]?.jwks?.keys[0]?.kid).toBe('ehr-key-1');
  });

  it('throws a ConfigError naming the file when the JSON is invalid', async () => {
    const path = await fileWith('broken.json', '{"clients": [');
    const error = await loadCdsClients(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(path);
    expect((error as ConfigError).message).toMatch(
      new RegExp(`^CDS clients file ${path}: is not valid JSON`),
    );
  });

  it('throws a ConfigError naming the file and the field', async () => {
    const path = await fileWith(
      'no-iss.json',
      JSON.stringify({ clients: [{ jwks_uri: 'https://x.example' }] }),
    );
    const error = (await loadCdsClients(path).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`CDS clients file ${path}: clients[0].iss: is required`);
    expect(error.problems).toEqual(['clients[0].iss: is required']);
  });

  it('throws a ConfigError when the file is missing', async () => {
    const path = join(dir, 'absent.json');
    await expect(loadCdsClients(path)).rejects.toThrow(`CDS clients file ${path}: cannot be read (ENOENT)`);
  });

  it('reads the file named by TAILOR_CDS_CLIENTS, and nothing when it is unset', async () => {
    const path = await fileWith('env.json', JSON.stringify({ clients: [inlineClient()] }));
    expect(CDS_CLIENTS_ENV).toBe('TAILOR_CDS_CLIENTS');
    expect(await loadCdsClientsFromEnv({})).toBeUndefined();
    expect(await loadCdsClientsFromEnv({ TAILOR_CDS_CLIENTS: ' ' })).toBeUndefined();
    expect(await loadCdsClientsFromEnv({ TAILOR_CDS_CLIENTS: path })).toHaveLength(1);
  });
});
