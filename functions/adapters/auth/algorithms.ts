/**
 * The JWS algorithms Tailor accepts on any token it verifies (CDS client JWTs, SMART id_tokens): asymmetric
 * only, so a shared-secret (HS*) or unsigned (`none`) token can never pass.
 */
export const ASYMMETRIC_JWS_ALGORITHMS = [
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
