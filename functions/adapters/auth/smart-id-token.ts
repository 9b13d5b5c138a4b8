import {
  type CryptoKey,
  createRemoteJWKSet,
  errors,
  type JWSHeaderParameters,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import { ASYMMETRIC_JWS_ALGORITHMS } from './algorithms';
import { presentClaimFailure, readBearerJwt } from './bearer-jwt';

/**
 * Verifies the OpenID Connect `id_token` a SMART EHR issued to Tailor's app, which the app presents to the
 * service API as its bearer token. The issuer must be allow-listed; its keys are found through its discovery
 * document (`/.well-known/openid-configuration`, else SMART's `/.well-known/smart-configuration`), cached.
 */

/** Why a call was refused: for logs and tests only; the caller answers a bare 401. */
export const ID_TOKEN_REJECTIONS = [
  'missing-token',
  'malformed-token',
  'disallowed-alg',
  'unknown-issuer',
  'discovery-failed',
  'unknown-kid',
  'jwks-unavailable',
  'bad-signature',
  'wrong-audience',
  'wrong-azp',
  'expired',
  'not-yet-valid',
  'missing-claim',
  'invalid-claim',
  'lifetime-too-long',
  'internal-error',
] as const;

export type IdTokenRejection = (typeof ID_TOKEN_REJECTIONS)[number];

export type IdTokenResult =
  | { ok: true; iss: string; sub: string; fhirUser?: string }
  | { ok: false; reason: IdTokenRejection };

/** Takes the Authorization header as received (or undefined). Never throws. */
export type IdTokenVerifier = (authorization: string | undefined) => Promise<IdTokenResult>;

/** Asymmetric algorithms only: a shared-secret (HS*) or unsigned token can never pass. */
export const ID_TOKEN_ALGORITHMS = ASYMMETRIC_JWS_ALGORITHMS;

export interface IdTokenVerifierOptions {
  /** Allow-listed OpenID issuers, compared exactly (character for character) with the token's `iss`. */
  issuers: readonly string[];
  /** The app's client id: the token's `aud` must contain it. */
  clientId: string;
  /** Tolerance for exp, nbf and iat (default 60). */
  clockSkewSeconds?: number;
  /** Refuse tokens whose exp - iat is longer (default 24 h). */
  maxLifetimeSeconds?: number;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Timeout of one discovery or JWKS download (default 3000 ms). */
  fetchTimeoutMs?: number;
  /** How long a failed discovery is remembered before it is tried again (default 30 s). */
  discoveryRetryMs?: number;
  fetch?: typeof fetch;
}

const ALGORITHMS: readonly string[] = ID_TOKEN_ALGORITHMS;

type KeySet = (header: JWSHeaderParameters) => Promise<CryptoKey>;

export function createIdTokenVerifier(options: IdTokenVerifierOptions): IdTokenVerifier {
  const skew = options.clockSkewSeconds ?? 60;
  const maxLifetime = options.maxLifetimeSeconds ?? 86_400;
  const now = options.now ?? Date.now;
  const timeout = options.fetchTimeoutMs ?? 3000;
  const retryMs = options.discoveryRetryMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;
  const issuers = new Set(options.issuers);
  // One discovery per issuer, shared by concurrent calls; a failure is retried after retryMs.
  const keySets = new Map<string, { keys: Promise<KeySet | undefined> }>();

  const keysFor = (issuer: string): Promise<KeySet | undefined> => {
    const cached = keySets.get(issuer);
    if (cached) return cached.keys;
    const keys = discoverJwksUri(issuer, doFetch, timeout).then((uri) =>
      uri ? createRemoteJWKSet(new URL(uri), { timeoutDuration: timeout }) : undefined,
    );
    const entry = { keys };
    keySets.set(issuer, entry);
    void keys.then((found) => {
      if (!found)
        setTimeout(() => keySets.get(issuer) === entry && keySets.delete(issuer), retryMs).unref?.();
    });
    return keys;
  };

  const verify = async (authorization: string | undefined): Promise<IdTokenResult> => {
    const read = readBearerJwt(authorization, ALGORITHMS);
    if (!read.ok) return reject(read.reason);
    const { token, unverified } = read;
    // The unverified issuer only picks the key set; claims are trusted only after the signature.
    const issuer =
      typeof unverified.iss === 'string' && issuers.has(unverified.iss) ? unverified.iss : undefined;
    if (!issuer) return reject('unknown-issuer');
    const keys = await keysFor(issuer);
    if (!keys) return reject('discovery-failed');

    const nowMs = now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: [...ALGORITHMS],
        issuer,
        audience: options.clientId,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: skew,
        currentDate: new Date(nowMs),
      }));
    } catch (error) {
      return reject(verifyFailure(error));
    }
    const { exp, iat, sub, aud, azp, fhirUser } = payload;
    if (typeof exp !== 'number' || typeof iat !== 'number') return reject('invalid-claim');
    if (iat > Math.floor(nowMs / 1000) + skew) return reject('not-yet-valid');
    if (exp <= iat) return reject('invalid-claim');
    if (exp - iat > maxLifetime) return reject('lifetime-too-long');
    if (typeof sub !== 'string' || sub === '') return reject('invalid-claim');
    // OpenID Connect: with several audiences the authorized party must be this client.
    if (Array.isArray(aud) && aud.length > 1 && azp !== options.clientId) return reject('wrong-azp');
    if (azp !== undefined && azp !== options.clientId) return reject('wrong-azp');
    if (fhirUser !== undefined && typeof fhirUser !== 'string') return reject('invalid-claim');
    return { ok: true, iss: issuer, sub, ...(typeof fhirUser === 'string' ? { fhirUser } : {}) };
  };

  return async (authorization) => {
    try {
      return await verify(authorization);
    } catch {
      return reject('internal-error');
    }
  };
}

/**
 * The issuer's `jwks_uri`: from its OpenID discovery document (whose `issuer` must equal the issuer), else from
 * the SMART configuration beside it. Undefined when neither answers with one.
 */
export async function discoverJwksUri(
  issuer: string,
  doFetch: typeof fetch,
  timeoutMs: number,
): Promise<string | undefined> {
  const base = trimSlash(issuer);
  const openid = await fetchJson(`${base}/.well-known/openid-configuration`, doFetch, timeoutMs);
  if (openid && trimSlash(String(openid.issuer ?? '')) === base && httpUrl(openid.jwks_uri))
    return openid.jwks_uri as string;
  const smart = await fetchJson(`${base}/.well-known/smart-configuration`, doFetch, timeoutMs);
  if (smart && httpUrl(smart.jwks_uri)) return smart.jwks_uri as string;
  return undefined;
}

async function fetchJson(
  url: string,
  doFetch: typeof fetch,
  timeoutMs: number,
): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await doFetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const body: unknown = await response.json();
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function httpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function reject(reason: IdTokenRejection): IdTokenResult {
  return { ok: false, reason };
}

function verifyFailure(error: unknown): IdTokenRejection {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown-kid';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'jwks-unavailable';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'bad-signature';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'missing-claim';
    return presentClaimFailure(error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'disallowed-alg';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed-token';
  // Refused connections and non-200 answers from the JWKS endpoint.
  if (error instanceof errors.JOSEError) return 'jwks-unavailable';
  return 'internal-error';
}
