import {
  decodeJwt,
  decodeProtectedHeader,
  type errors,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';

/** A compact JWS is three base64url parts; anything far longer than a real token is refused unread. */
const MAX_TOKEN_LENGTH = 16_384;
// The signature part may be empty so that an unsigned (`alg: none`) token is reported as such.
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

export type BearerJwt =
  | { ok: true; token: string; header: JWSHeaderParameters; unverified: JWTPayload }
  | { ok: false; reason: 'missing-token' | 'malformed-token' | 'disallowed-alg' };

/**
 * The first steps of every token check: an `Authorization: Bearer` JWT, decoded but NOT verified, with an
 * algorithm from the allowed list. The unverified payload may only choose which keys to verify against.
 */
export function readBearerJwt(authorization: string | undefined, algorithms: readonly string[]): BearerJwt {
  const value = authorization?.trim();
  if (!value) return { ok: false, reason: 'missing-token' };
  const token = value.length <= MAX_TOKEN_LENGTH ? BEARER.exec(value)?.[1] : undefined;
  if (!token) return { ok: false, reason: 'malformed-token' };
  let header: JWSHeaderParameters;
  let unverified: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    unverified = decodeJwt(token);
  } catch {
    return { ok: false, reason: 'malformed-token' };
  }
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg))
    return { ok: false, reason: 'disallowed-alg' };
  return { ok: true, token, header, unverified };
}

/** Why a claim that is present failed verification, in the words both token checks report. */
export function presentClaimFailure(
  error: errors.JWTClaimValidationFailed,
): 'wrong-audience' | 'unknown-issuer' | 'not-yet-valid' | 'invalid-claim' {
  switch (error.claim) {
    case 'aud':
      return 'wrong-audience';
    case 'iss':
      return 'unknown-issuer';
    case 'nbf':
      return error.reason === 'check_failed' ? 'not-yet-valid' : 'invalid-claim';
    default:
      return 'invalid-claim';
  }
}
