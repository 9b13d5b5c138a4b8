import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv/dist/2020';
import type { JWK } from 'jose';
import { validateCdsClientsFile } from '../../core/precompiled/cds-clients-validator';
import type { PrecompiledValidator } from '../../core/schema-validation';

/** The environment variable naming the trusted CDS clients file. */
export const CDS_CLIENTS_ENV = 'TAILOR_CDS_CLIENTS';

/** Asymmetric JWS algorithms a CDS client may sign with; never `none`, never HMAC. */
export const CDS_JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 300;
/** A CDS Hooks JWT is minted per request; anything near an hour is a misconfiguration. */
export const MAX_MAX_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * One trusted CDS client (an EHR), as written in the clients file. Exactly one of `jwks` (inline public keys)
 * and `jwks_uri` names its keys.
 */
export interface CdsClientConfig {
  /** The `iss` claim its tokens carry, compared exactly. */
  iss: string;
  /** Inline public keys; each key has a `kid`. */
  jwks?: { keys: JWK[] };
  /** Where its key set is published (https; http only on loopback, for development). */
  jwks_uri?: string;
  /** Key set URLs a token may name in its `jku` header; any other `jku` is refused without fetching it. */
  jku?: string[];
  /** When set, the token's `tenant` claim must equal it. */
  tenant?: string;
  /** Largest `exp - iat` accepted (default 300). Epic's tokens live 900 s. */
  maxTokenLifetimeSeconds?: number;
  /** For the operators reading the file; ignored. */
  description?: string;
}

export interface CdsClientsFile {
  clients: CdsClientConfig[];
}

/** A configuration file that cannot be used; the message names the file and the fields at fault. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly file: string,
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const publicJwkSchema = {
  type: 'object',
  required: ['kty', 'kid'],
  properties: {
    kty: { enum: ['RSA', 'EC', 'OKP'] },
    kid: { type: 'string', minLength: 1 },
    use: { const: 'sig' },
    alg: { enum: [...CDS_JWT_ALGORITHMS] },
    key_ops: { type: 'array', items: { type: 'string' } },
    n: { type: 'string', minLength: 1 },
    e: { type: 'string', minLength: 1 },
    crv: { type: 'string' },
    x: { type: 'string', minLength: 1 },
    y: { type: 'string', minLength: 1 },
  },
  // Which members each key type needs, and its curves.
  allOf: [
    {
      if: { properties: { kty: { const: 'RSA' } } },
      // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, never awaited
      then: { required: ['n', 'e'] },
    },
    {
      if: { properties: { kty: { const: 'EC' } } },
      // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, never awaited
      then: { required: ['crv', 'x', 'y'], properties: { crv: { enum: ['P-256', 'P-384', 'P-521'] } } },
    },
    {
      if: { properties: { kty: { const: 'OKP' } } },
      // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, never awaited
      then: { required: ['crv', 'x'], properties: { crv: { enum: ['Ed25519', 'Ed448'] } } },
    },
  ],
} as const;

export const clientsSchema = {
  type: 'object',
  required: ['clients'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    clients: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['iss'],
        additionalProperties: false,
        properties: {
          iss: { type: 'string', minLength: 1 },
          jwks: {
            type: 'object',
            required: ['keys'],
            properties: { keys: { type: 'array', minItems: 1, items: publicJwkSchema } },
          },
          jwks_uri: { type: 'string', minLength: 1 },
          jku: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
          tenant: { type: 'string', minLength: 1 },
          maxTokenLifetimeSeconds: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_MAX_TOKEN_LIFETIME_SECONDS,
          },
          description: { type: 'string' },
        },
      },
    },
  },
} as const;

// Compiled ahead of time from clientsSchema (infra/precompile-validators.ts): no Ajv compiler at cold start.
const fileValidator = () => validateCdsClientsFile as PrecompiledValidator<CdsClientsFile>;

/** Private or symmetric key members: a clients file holds the EHR's public keys only. */
const SECRET_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Checks a parsed clients file: the schema, then what it cannot say (exactly one of `jwks`/`jwks_uri`, URLs
 * that are https, no private key material, each issuer once). Errors read "clients[0].jwks_uri: ...".
 */
export function parseCdsClients(json: unknown): { clients?: CdsClientConfig[]; errors: string[] } {
  const errors: string[] = [];
  const validateFile = fileValidator();
  if (!validateFile(json)) return { errors: formatErrors(validateFile.errors) };
  const seen = new Set<string>();
  json.clients.forEach((client, i) => {
    const at = `clients[${i}]`;
    if (client.jwks && client.jwks_uri !== undefined) {
      errors.push(`${at}: give either "jwks" (inline keys) or "jwks_uri", not both`);
    } else if (!client.jwks && client.jwks_uri === undefined) {
      errors.push(`${at}: needs "jwks" (inline public keys) or "jwks_uri" (where the keys are published)`);
    }
    if (client.jwks_uri !== undefined) {
      const problem = urlProblem(client.jwks_uri);
      if (problem) errors.push(`${at}.jwks_uri: ${problem}`);
    }
    client.jku?.forEach((url, j) => {
      const problem = urlProblem(url);
      if (problem) errors.push(`${at}.jku[${j}]: ${problem}`);
    });
    client.jwks?.keys.forEach((key, k) => {
      const secret = SECRET_JWK_MEMBERS.filter((member) => Object.hasOwn(key, member));
      if (secret.length > 0) {
        errors.push(
          `${at}.jwks.keys[${k}]: holds private key material (${secret.join(', ')}); give the public key only`,
        );
      }
    });
    if (seen.has(client.iss)) errors.push(`${at}.iss: "${client.iss}" is configured twice`);
    seen.add(client.iss);
  });
  return errors.length > 0 ? { errors } : { clients: json.clients, errors };
}

/** Reads and checks a clients file; throws ConfigError naming the file and every field at fault. */
export async function loadCdsClients(path: string): Promise<CdsClientConfig[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      `CDS clients file ${path}: cannot be read (${why})`,
      path,
      [`cannot be read (${why})`],
      {
        cause,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const problem = `is not valid JSON (${(cause as Error).message})`;
    throw new ConfigError(`CDS clients file ${path}: ${problem}`, path, [problem], { cause });
  }
  const { clients, errors } = parseCdsClients(json);
  if (!clients) {
    throw new ConfigError(`CDS clients file ${path}: ${errors.join('; ')}`, path, errors);
  }
  return clients;
}

/**
 * The trusted clients named by TAILOR_CDS_CLIENTS, or undefined when the variable is unset or empty (the
 * caller decides whether running without JWT checks is allowed).
 */
export async function loadCdsClientsFromEnv(
  env: Record<string, string | undefined>,
): Promise<CdsClientConfig[] | undefined> {
  const path = env[CDS_CLIENTS_ENV]?.trim();
  return path ? loadCdsClients(path) : undefined;
}

function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not an absolute URL`;
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return undefined;
  return 'must be an https URL (plain http only on loopback, for development)';
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Ajv's errors as "clients[0].jwks.keys[1].kid: is required"; `if` branches only repeat their `then`. */
function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  const messages = (errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const where = fieldPath(e.instancePath);
      const join = (field: string) => (where ? `${where}.${field}` : field);
      switch (e.keyword) {
        case 'required':
          return `${join(String(e.params.missingProperty))}: is required`;
        case 'additionalProperties':
          return `${join(String(e.params.additionalProperty))}: is not a known field`;
        case 'enum':
          return `${where}: must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
        case 'const':
          return `${where}: must be ${JSON.stringify(e.params.allowedValue)}`;
        default:
          return `${where || '(top level)'}: ${e.message ?? 'is invalid'}`;
      }
    });
  return [...new Set(messages)];
}

function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
