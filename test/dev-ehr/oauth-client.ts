import { createHash, randomBytes } from 'node:crypto';

/** A browser's cookie jar, just enough for oidc-provider's interaction and session cookies. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export type Landing =
  | { kind: 'callback'; url: URL }
  | { kind: 'page'; url: string; status: number; html: string };

/**
 * Follows redirects as a browser would (cookies included) until the app's redirect URI is reached (not
 * fetched: the app is not running) or a page is shown.
 */
export async function browse(
  start: string,
  jar: CookieJar,
  redirectUri: string,
  init: { method?: string; body?: string } = {},
): Promise<Landing> {
  let url = start;
  let request: { method?: string; body?: string } = init;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(redirectUri)) return { kind: 'callback', url: new URL(url) };
    const response = await fetch(url, {
      method: request.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(request.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    jar.take(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).href;
      request = {};
      continue;
    }
    return { kind: 'page', url, status: response.status, html: await response.text() };
  }
  throw new Error('too many redirects');
}

export interface AuthorizeRequest {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  aud?: string;
  launch?: string;
  pkce?: Pkce | null;
  state?: string;
}

export function authorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(request.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', request.scope);
  url.searchParams.set('state', request.state ?? randomBytes(8).toString('hex'));
  if (request.aud !== undefined) url.searchParams.set('aud', request.aud);
  if (request.launch !== undefined) url.searchParams.set('launch', request.launch);
  if (request.pkce) {
    url.searchParams.set('code_challenge', request.pkce.challenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.href;
}

export async function exchangeCode(
  tokenEndpoint: string,
  params: { code: string; clientId: string; redirectUri: string; verifier?: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: params.code,
    redirect_uri: params.redirectUri,
    client_id: params.clientId,
    ...(params.verifier !== undefined ? { code_verifier: params.verifier } : {}),
  });
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The `src` of the EHR frame's iframe, HTML entities undone. */
export function iframeSrc(html: string): URL {
  const match = /<iframe[^>]*\ssrc="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no iframe in the page');
  return new URL(
    match[1]
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'"),
  );
}

/** The first form's action and hidden fields in a chunk of HTML. */
export function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
