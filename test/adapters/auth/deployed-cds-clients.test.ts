import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/adapters/auth/cds-client-config';
import { parseCdsClients } from '../../../functions/adapters/auth/cds-clients';
import {
  cdsClientsSha256,
  loadDeployedCdsClients,
} from '../../../functions/adapters/auth/deployed-cds-clients';

let dir: string;
let publicJwk: JWK;
let privateJwk: JWK;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tailor-deployed-clients-'));
  const pair = await generateKeyPair('ES384', { extractable: true });
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'ehr-key-1', alg: 'ES384', use: 'sig' };
  privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'ehr-key-1' };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function deployed(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const failure = async (promise: Promise<unknown>): Promise<ConfigError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
};

describe('loadDeployedCdsClients: the synthesized clients file, verified by its checksum', () => {
  it('gives the same clients as the full check when the bytes are those synthesized', async () => {
    const text = JSON.stringify({
      clients: [{ iss: 'https://ehr.example.org', jwks: { keys: [publicJwk] }, tenant: 'region-h' }],
    });
    const path = await deployed('good.json', text);
    expect(await loadDeployedCdsClients(path, cdsClientsSha256(text))).toEqual(
      parseCdsClients(JSON.parse(text)).clients,
    );
  });

  it('refuses a file whose bytes changed after synthesis, naming the checksum variable', async () => {
    const text = JSON.stringify({
      clients: [{ iss: 'https://ehr.example.org', jwks: { keys: [publicJwk] } }],
    });
    const path = await deployed('changed.json', text.replace('ehr.example.org', 'evil.example.org'));
    const error = await failure(loadDeployedCdsClients(path, cdsClientsSha256(text)));
    expect(error.message).toMatch(/SHA-256 .* not the TAILOR_CDS_CLIENTS_SHA256/);
  });

  it('still runs the checks beyond the schema (no private key material, https URLs)', async () => {
    const text = JSON.stringify({
      clients: [
        { iss: 'https://a.example.org', jwks: { keys: [privateJwk] } },
        { iss: 'https://b.example.org', jwks_uri: 'http://keys.example.org/jwks.json' },
      ],
    });
    const path = await deployed('private.json', text);
    const error = await failure(loadDeployedCdsClients(path, cdsClientsSha256(text)));
    expect(error.problems).toEqual([
      'clients[0].jwks.keys[0]: holds private key material (d); give the public key only',
      'clients[1].jwks_uri: must be an https URL (plain http only on loopback, for development)',
    ]);
  });

  it('a missing file or one that is not JSON is a clear configuration error', async () => {
    expect((await failure(loadDeployedCdsClients(join(dir, 'absent.json'), 'x'))).message).toMatch(
      /cannot be read \(ENOENT\)/,
    );
    const path = await deployed('broken.json', '{"clients": [');
    expect((await failure(loadDeployedCdsClients(path, cdsClientsSha256('{"clients": [')))).message).toMatch(
      /is not valid JSON/,
    );
  });
});
