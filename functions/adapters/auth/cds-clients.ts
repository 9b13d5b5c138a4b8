import type { ErrorObject } from 'ajv/dist/2020';
import { validateCdsClientsFile } from '../../core/precompiled/cds-clients-validator';
import type { PrecompiledValidator } from '../../core/schema-validation';
import {
  CDS_CLIENTS_ENV,
  CDS_JWT_ALGORITHMS,
  type CdsClientConfig,
  type CdsClientsFile,
  ConfigError,
  checkCdsClients,
  MAX_MAX_TOKEN_LIFETIME_SECONDS,
  readCdsClientsJson,
} from './cds-client-config';

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

/** Checks a parsed clients file: the schema, then checkCdsClients. Errors read "clients[0].jwks_uri: ...". */
export function parseCdsClients(json: unknown): { clients?: CdsClientConfig[]; errors: string[] } {
  const validateFile = fileValidator();
  if (!validateFile(json)) return { errors: formatErrors(validateFile.errors) };
  const errors = checkCdsClients(json);
  return errors.length > 0 ? { errors } : { clients: json.clients, errors };
}

/** Reads and checks a clients file; throws ConfigError naming the file and every field at fault. */
export async function loadCdsClients(path: string): Promise<CdsClientConfig[]> {
  const { json } = await readCdsClientsJson(path);
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
