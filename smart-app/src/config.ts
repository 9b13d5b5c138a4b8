/**
 * The app's run-time configuration, /app/config.json beside the pages: the client id the EHR registered and,
 * when the service API is not on the same origin, where it is. Read fresh each launch (never cached).
 */
export interface AppConfig {
  clientId: string;
  /** Base URL of Tailor's service API; default: the origin root the app is served under (/app/ → /). */
  apiBase: string;
}

export async function loadConfig(
  doFetch: typeof fetch = fetch,
  here: string = location.href,
): Promise<AppConfig> {
  const response = await doFetch(new URL('config.json', here), { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const raw = (await response.json()) as { clientId?: unknown; apiBase?: unknown };
  if (typeof raw.clientId !== 'string' || raw.clientId === '') throw new Error('config.json has no clientId');
  const apiBase = typeof raw.apiBase === 'string' && raw.apiBase !== '' ? raw.apiBase : '..';
  return { clientId: raw.clientId, apiBase: new URL(apiBase, here).href };
}

/** The SMART scopes: read-only, patient-level, exactly the resources the app reads, plus the user's identity. */
export const BASE_SCOPES = [
  'openid',
  'fhirUser',
  'patient/Patient.rs',
  'patient/Observation.rs',
  'patient/DiagnosticReport.rs',
  'patient/Condition.rs',
  'patient/MedicationRequest.rs',
  // Orders may name their drug by reference to a Medication (medicationReference).
  'patient/Medication.rs',
];

/** EHR launch asks for the EHR's context (`launch`); standalone asks the user to pick a patient. */
export function scopesFor(ehrLaunch: boolean): string {
  return [ehrLaunch ? 'launch' : 'launch/patient', ...BASE_SCOPES].join(' ');
}
