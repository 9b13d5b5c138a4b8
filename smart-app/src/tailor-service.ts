import type { AssessmentRequest, AssessmentResponse, DrugListResponse } from '../../functions/http/app-api';

/** Tailor's service API as the UI sees it; tests use a fake. */
export interface TailorService {
  assess(request: AssessmentRequest): Promise<AssessmentResponse>;
  drugs(): Promise<DrugListResponse>;
}

/** session-expired: the service refused the id_token (expired or never valid); unavailable: anything else. */
export type ServiceErrorKind = 'session-expired' | 'unavailable';

export class TailorServiceError extends Error {
  override name = 'TailorServiceError';
  constructor(
    readonly kind: ServiceErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 15_000;

/** The service over HTTP, authenticated with the id_token the EHR issued. */
export function httpTailorService(
  apiBase: string,
  idToken: string,
  doFetch: typeof fetch = fetch,
): TailorService {
  const base = apiBase.replace(/\/+$/, '');
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        ...init,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${idToken}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new TailorServiceError('unavailable', "Tailor's service could not be reached.");
    }
    if (response.status === 401)
      throw new TailorServiceError('session-expired', 'Tailor no longer accepts this session.', 401);
    if (!response.ok) {
      const detail = await diagnostics(response);
      throw new TailorServiceError(
        'unavailable',
        `Tailor's service answered ${response.status}${detail ? `: ${detail}` : ''}.`,
        response.status,
      );
    }
    try {
      return (await response.json()) as T;
    } catch {
      throw new TailorServiceError(
        'unavailable',
        "Tailor's service sent an unreadable answer.",
        response.status,
      );
    }
  };
  return {
    assess: (request) =>
      call<AssessmentResponse>('/api/assessment', { method: 'POST', body: JSON.stringify(request) }),
    drugs: () => call<DrugListResponse>('/api/drugs'),
  };
}

/** The OperationOutcome's diagnostics, if the error body is one. */
async function diagnostics(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { issue?: { diagnostics?: unknown }[] };
    const text = body.issue?.[0]?.diagnostics;
    return typeof text === 'string' ? text.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
