import { createHash } from 'node:crypto';
import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JWSHeaderParameters,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import { presentClaimFailure, readBearerJwt } from './bearer-jwt';
import {
  CDS_JWT_ALGORITHMS,
  type CdsClientConfig,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
} from './cds-client-config';
import type { ReplayCache } from './replay-cache';

/** Why a CDS Hooks request was refused: for logs and tests only; the caller answers a bare 401. */
export const CDS_AUTH_REJECTIONS = [
  'missing-token',
  'malformed-token',
  'disallowed-alg',
  'bad-typ',
  'unknown-issuer',
  'missing-kid',
  'unlisted-jku',
  'unknown-kid',
  'jwks-unavailable',
  'bad-signature',
  'wrong-audience',
  'expired',
  'not-yet-valid',
  'missing-exp',
  'missing-iat',
  'missing-jti',
  'invalid-claim',
  'lifetime-too-long',
  'wrong-tenant',
  'replayed-jti',
  'replay-check-failed',
  'internal-error',
] as const;

export type CdsAuthRejection = (typeof CDS_AUTH_REJECTIONS)[number];

export type CdsAuthResult =
  | { ok: true; iss: string; tenant?: string; sub?: string }
  | { ok: false; reason: CdsAuthRejection };

export interface CdsAuthRequest {
  /** The Authorization header as received, or undefined when absent. */
  authorization: string | undefined;
  /** The public URL the EHR called (scheme, host, path), which the token's `aud` must name exactly. */
  url: string;
}

export type CdsAuthenticator = (request: CdsAuthRequest) => Promise<CdsAuthResult>;

export interface CdsAuthenticatorOptions {
  clients: CdsClientConfig[];
  replayCache: ReplayCache;
  /** Tolerance for exp, nbf and iat (default 60). */
  clockSkewSeconds?: number;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Timeout of one JWKS download (default 1500 ms: the EHR gives the whole call about 500 ms). */
  fetchTimeoutMs?: number;
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
export const DEFAULT_JWKS_FETCH_TIMEOUT_MS = 1500;

const ALGORITHMS: readonly string[] = CDS_JWT_ALGORITHMS;

type KeySet = (header: JWSHeaderParameters) => Promise<CryptoKey>;

interface TrustedClient {
  config: CdsClientConfig;
  /** Used when the token has no `jku`. */
  keys: KeySet;
  /** Allowed `jku` URLs (normalised) to their key sets; the client's own jwks_uri counts as allowed. */
  jkuKeys: Map<string, KeySet>;
  maxLifetime: number;
}

/**
 * Verifies the CDS Hooks JWT of a request against the trusted clients. Key sets are built once here, remote
 * ones fetched on first use and cached by jose. Never throws; never logs; the result holds no token content
 * beyond the verified issuer, tenant and subject.
 */
export function createCdsAuthenticator(options: CdsAuthenticatorOptions): CdsAuthenticator {
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const now = options.now ?? Date.now;
  const remoteOptions = { timeoutDuration: options.fetchTimeoutMs ?? DEFAULT_JWKS_FETCH_TIMEOUT_MS };
  const clients = new Map<string, TrustedClient>();
  for (const config of options.clients) {
    const jkuKeys = new Map<string, KeySet>();
    for (const url of config.jku ?? []) {
      const href = normaliseUrl(url);
      if (href) jkuKeys.set(href, createRemoteJWKSet(new URL(href), remoteOptions));
    }
    let keys: KeySet;
    const ownUri = config.jwks_uri === undefined ? undefined : normaliseUrl(config.jwks_uri);
    if (config.jwks) {
      keys = createLocalJWKSet(config.jwks);
    } else if (ownUri) {
      keys = jkuKeys.get(ownUri) ?? createRemoteJWKSet(new URL(ownUri), remoteOptions);
      jkuKeys.set(ownUri, keys);
    } else {
      throw new TypeError(`CDS client ${config.iss} has neither jwks nor a valid jwks_uri`);
    }
    const maxLifetime = config.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
    clients.set(config.iss, { config, keys, jkuKeys, maxLifetime });
  }

  const authenticate = async (request: CdsAuthRequest): Promise<CdsAuthResult> => {
    const read = readBearerJwt(request.authorization, ALGORITHMS);
    if (!read.ok) return reject(read.reason);
    const { token, header: protectedHeader, unverified } = read;
    const { typ, kid, jku } = protectedHeader;
    if (typ !== undefined && (typeof typ !== 'string' || normaliseTyp(typ) !== 'jwt'))
      return reject('bad-typ');

    // The unverified issuer only picks the key set; every claim is trusted only after the signature.
    const client = typeof unverified.iss === 'string' ? clients.get(unverified.iss) : undefined;
    if (!client) return reject('unknown-issuer');
    if (typeof kid !== 'string' || kid === '') return reject('missing-kid');

    let keySet = client.keys;
    if (jku !== undefined) {
      const href = typeof jku === 'string' ? normaliseUrl(jku) : undefined;
      const allowed = href === undefined ? undefined : client.jkuKeys.get(href);
      if (!allowed) return reject('unlisted-jku');
      keySet = allowed;
    }

    const candidates = await resolveKeys(keySet, protectedHeader);
    if (!Array.isArray(candidates)) return reject(candidates);

    const nowMs = now();
    let payload: JWTPayload | undefined;
    for (const key of candidates) {
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: [...ALGORITHMS],
          issuer: client.config.iss,
          audience: request.url,
          requiredClaims: ['exp', 'iat', 'jti'],
          clockTolerance: skew,
          currentDate: new Date(nowMs),
        }));
        break;
      } catch (error) {
        // Several keys may share a kid (a misconfigured set): only a bad signature moves on to the next one.
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) return reject(verifyFailure(error));
      }
    }
    if (!payload) return reject('bad-signature');

    const { exp, iat, jti, sub, tenant } = payload;
    if (typeof exp !== 'number' || typeof iat !== 'number') return reject('invalid-claim');
    if (typeof jti !== 'string' || jti === '') return reject('missing-jti');
    const nowSeconds = Math.floor(nowMs / 1000);
    if (iat > nowSeconds + skew) return reject('not-yet-valid');
    if (exp <= iat) return reject('invalid-claim');
    if (exp - iat > client.maxLifetime) return reject('lifetime-too-long');
    if (tenant !== undefined && typeof tenant !== 'string') return reject('invalid-claim');
    if (client.config.tenant !== undefined && tenant !== client.config.tenant) return reject('wrong-tenant');
    if (sub !== undefined && typeof sub !== 'string') return reject('invalid-claim');

    // Last, so that a token refused for another reason does not use up its jti.
    try {
      if (!(await options.replayCache.claim(replayKey(client.config.iss, jti), exp + skew))) {
        return reject('replayed-jti');
      }
    } catch {
      return reject('replay-check-failed');
    }

    return {
      ok: true,
      iss: client.config.iss,
      ...(typeof tenant === 'string' ? { tenant } : {}),
      ...(typeof sub === 'string' ? { sub } : {}),
    };
  };

  return async (request) => {
    try {
      return await authenticate(request);
    } catch {
      return reject('internal-error');
    }
  };
}

/**
 * The replay-cache key of a token: a fixed-length digest of issuer and jti, so a shared store (DynamoDB)
 * gets short, uniform keys whatever the EHR puts in jti.
 */
export function replayKey(iss: string, jti: string): string {
  return createHash('sha256')
    .update(JSON.stringify([iss, jti]))
    .digest('base64url');
}

function reject(reason: CdsAuthRejection): CdsAuthResult {
  return { ok: false, reason };
}

/** The key(s) the header's kid names in the set, or why there are none. */
async function resolveKeys(
  keySet: KeySet,
  header: JWSHeaderParameters,
): Promise<CryptoKey[] | CdsAuthRejection> {
  try {
    return [await keySet(header)];
  } catch (error) {
    if (error instanceof errors.JWKSMultipleMatchingKeys) {
      const keys: CryptoKey[] = [];
      for await (const key of error) keys.push(key);
      return keys.length > 0 ? keys : 'jwks-unavailable';
    }
    if (error instanceof errors.JWKSNoMatchingKey) return 'unknown-kid';
    if (error instanceof errors.JOSENotSupported) return 'disallowed-alg';
    // Timeouts, refused connections, non-200 answers, unusable keys.
    return 'jwks-unavailable';
  }
}

function verifyFailure(error: unknown): CdsAuthRejection {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') {
      switch (error.claim) {
        case 'exp':
          return 'missing-exp';
        case 'iat':
          return 'missing-iat';
        case 'jti':
          return 'missing-jti';
        case 'aud':
          return 'wrong-audience';
        case 'iss':
          return 'unknown-issuer';
        default:
          return 'invalid-claim';
      }
    }
    return presentClaimFailure(error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'disallowed-alg';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed-token';
  return 'internal-error';
}

function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** URLs compare after URL parsing, so "HTTPS://Host/x" and "https://host/x" are the same allowed jku. */
function normaliseUrl(text: string): string | undefined {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}
