/**
 * The SMART app's Content-Security-Policy. The app is framed by the EHR, so `frame-ancestors` lists exactly
 * the configured EHR origins; it talks to its own API ('self') and to the FHIR servers that launch it.
 */
export interface CspInput {
  ehrOrigins: string[];
  smart: { issuers: string[]; connectOrigins?: string[] };
}

/** CloudFront refuses a Content-Security-Policy value longer than this. */
export const CLOUDFRONT_CSP_MAX_LENGTH = 1783;

export function appContentSecurityPolicy(input: CspInput): string {
  const issuerOrigins = input.smart.issuers.map((issuer) => new URL(issuer).origin);
  const connect = [...new Set(["'self'", ...issuerOrigins, ...(input.smart.connectOrigins ?? [])])];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    `frame-ancestors ${input.ehrOrigins.join(' ')}`,
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
}

/** The API's answers are JSON: nothing may run, load or frame them. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";
