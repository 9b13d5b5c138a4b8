/**
 * The trusted CDS clients file: its shape, and what is checked of it beyond the JSON Schema (cds-clients.ts
 * checks both; a deployed function, whose file was checked at synthesis, only this part after its checksum).
 * Imports no validator, so the Lambda bundles can leave the schema's compiled code out.
 */
import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { ASYMMETRIC_JWS_ALGORITHMS } from './algorithms';

/** The environment variable naming the trusted CDS clients file. */
export const CDS_CLIENTS_ENV = 'TAILOR_CDS_CLIENTS';

/** What a CDS client may sign with: asymmetric algorithms only, never `none`, never HMAC. */
export const CDS_JWT_ALGORITHMS = ASYMMETRIC_JWS_ALGORITHMS;

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

/** Private or symmetric key members: a clients file holds the EHR's public keys only. */
const SECRET_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * What the schema cannot say: exactly one of `jwks`/`jwks_uri`, URLs that are https, no private key material,
 * each issuer once. Errors read "clients[0].jwks_uri: ...". Expects a file the schema accepts.
 */
export function checkCdsClients(file: CdsClientsFile): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  file.clients.forEach((client, i) => {
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
  return errors;
}

/** A clients file's bytes and its parsed JSON; throws ConfigError when unreadable or not JSON. */
export async function readCdsClientsJson(path: string): Promise<{ bytes: Buffer; json: unknown }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
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
  try {
    return { bytes, json: JSON.parse(bytes.toString('utf8')) };
  } catch (cause) {
    const problem = `is not valid JSON (${(cause as Error).message})`;
    throw new ConfigError(`CDS clients file ${path}: ${problem}`, path, [problem], { cause });
  }
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
