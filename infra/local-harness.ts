/**
 * Runs synthesized bundles against a local store, for the bundle smoke tests and the cold-start
 * measurement: a stage whose trusted CDS client is a key made here (so calls carry real JWTs), the tables
 * created from the shared definitions, the bundled rule set installed and activated, and each bundle's
 * synthesized environment with only the deploy-time values replaced by local ones.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createDynamoClient } from '../functions/adapters/dynamodb/client';
import { DynamoRuleStore } from '../functions/adapters/dynamodb/rule-store';
import { ensureTables, tableNames } from '../functions/adapters/dynamodb/tables';
import { installBundledRuleSet } from '../functions/server/local-server';
import type { FunctionBundle } from './bundles';
import { type StageConfig, validateStageConfig } from './config';
import { dev } from './stages/dev';

export const LOCAL_PUBLIC_URL = 'https://tailor.test';
const ISSUER = 'https://ehr.tailor.test';

export interface LocalStage {
  config: StageConfig;
  /** A CDS Hooks JWT from the stage's trusted EHR for the URL called (`aud`). */
  cdsJwt(path: string): Promise<string>;
}

/** The dev stage with a fixed account and one trusted EHR whose signing key lives in this process. */
export async function localStage(overrides: Partial<StageConfig> = {}): Promise<LocalStage> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const kid = `local-${randomBytes(4).toString('hex')}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'ES256' };
  const config = validateStageConfig({
    ...dev,
    env: { account: '111111111111', region: 'eu-north-1' },
    cdsClients: [{ iss: ISSUER, jwks: { keys: [jwk] }, description: 'local test EHR' }],
    ...overrides,
  });
  return {
    config,
    cdsJwt: (path) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(`${LOCAL_PUBLIC_URL}${path}`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .setJti(randomUUID())
        .sign(privateKey),
  };
}

/** Creates the stage's tables in the local store and installs the bundled rule set (once). */
export async function prepareLocalStore(endpoint: string, tablePrefix: string): Promise<void> {
  const client = createDynamoClient({ endpoint });
  try {
    const names = tableNames(tablePrefix);
    await ensureTables(client, names);
    await installBundledRuleSet(new DynamoRuleStore({ client, tableName: names.rules }));
  } finally {
    client.destroy();
  }
}

export interface LocalSecretsManager {
  endpoint: string;
  /** The one secret it holds, by this ARN. */
  arn: string;
  close(): Promise<void>;
}

/**
 * Secrets Manager's GetSecretValue on loopback (its JSON protocol), holding one generated secret: a bundle
 * given only the secret's ARN, as deployed, reads it here through the AWS SDK at cold start.
 */
export async function startLocalSecretsManager(): Promise<LocalSecretsManager> {
  const arn = 'arn:aws:secretsmanager:eu-north-1:111111111111:secret:tailor/local/audit-hmac-AbCdEf';
  const value = randomBytes(32).toString('hex');
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const send = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
        return send(400, { __type: 'UnknownOperationException', message: 'only GetSecretValue' });
      const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
      if (SecretId !== arn)
        return send(400, { __type: 'ResourceNotFoundException', message: 'no such secret' });
      return send(200, { ARN: arn, Name: 'tailor/local/audit-hmac', SecretString: value, VersionId: 'v1' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arn,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The bundle's synthesized environment, with what only exists once deployed replaced: the store endpoint,
 * the audit secret's ARN in the local Secrets Manager (or, without one, the secret itself), the
 * trusted-clients file at the bundle's own path (instead of /var/task), and the public URL. Logs and
 * metrics are silenced.
 */
export function localEnvironment(
  bundle: FunctionBundle,
  endpoint: string,
  options: { secrets?: LocalSecretsManager; overrides?: Record<string, string> } = {},
): Record<string, string> {
  const { TAILOR_AUDIT_SECRET_ARN: _arn, NODE_OPTIONS: _options, ...synthesized } = bundle.environment;
  const secret: Record<string, string> = options.secrets
    ? {
        TAILOR_AUDIT_SECRET_ARN: options.secrets.arn,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: options.secrets.endpoint,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      }
    : { TAILOR_AUDIT_SECRET: randomBytes(32).toString('hex') };
  return {
    ...synthesized,
    ...secret,
    TAILOR_DYNAMODB_ENDPOINT: endpoint,
    TAILOR_CDS_CLIENTS: `${bundle.dir}/cds-clients.json`,
    TAILOR_PUBLIC_URL: LOCAL_PUBLIC_URL,
    TAILOR_SMART_LAUNCH_URL: `${LOCAL_PUBLIC_URL}/app/launch.html`,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: 'eu-north-1',
    ...options.overrides,
  };
}

export interface LocalIssuer {
  /** The issuer URL (http on loopback), as an id_token's `iss`. */
  url: string;
  /** An id_token for the SMART app (aud = clientId). */
  idToken(clientId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A minimal OpenID issuer on loopback: its discovery document and key set, and id_tokens signed with its key,
 * so the SMART app's API can be called as a launched app would call it.
 */
export async function startLocalIssuer(): Promise<LocalIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const kid = `issuer-${randomBytes(4).toString('hex')}`;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'ES256' }] };
  let url = '';
  const server = createServer((request, response) => {
    const body =
      request.url === '/.well-known/openid-configuration'
        ? { issuer: url, jwks_uri: `${url}/jwks` }
        : request.url === '/jwks'
          ? jwks
          : undefined;
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    idToken: (clientId) =>
      new SignJWT({ fhirUser: 'Practitioner/example-clinician' })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(url)
        .setAudience(clientId)
        .setSubject('clinician-1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
