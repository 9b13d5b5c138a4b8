/**
 * SMART App Launch scopes: v2 (`patient/Observation.rs`) and v1 (`patient/Observation.read`) forms, for the
 * resource types the development EHR holds.
 */

export const SMART_RESOURCE_TYPES = [
  'Patient',
  'Observation',
  'DiagnosticReport',
  'Condition',
  'MedicationRequest',
  'Medication',
  'Encounter',
  'Practitioner',
  'Organization',
] as const;

const LEVELS = ['patient', 'user'] as const;
/** v2 read/search permissions in their canonical order, and v1's `read` and `*` (read and search here). */
const PERMISSIONS = ['rs', 'r', 's', 'read', '*'] as const;

/** Launch and identity scopes besides resource access. */
export const CONTEXT_SCOPES = ['launch', 'launch/patient', 'launch/encounter', 'online_access'] as const;

/**
 * Every resource scope the authorization server recognises. oidc-provider drops unknown scope values from
 * the grant, so SMART scopes must be listed; granular v2 scopes with `?` query parameters are not offered.
 */
export function supportedResourceScopes(): string[] {
  return LEVELS.flatMap((level) =>
    ['*', ...SMART_RESOURCE_TYPES].flatMap((type) => PERMISSIONS.map((p) => `${level}/${type}.${p}`)),
  );
}

export type Interaction = 'read' | 'search';

export interface ScopeGrant {
  level: 'patient' | 'user';
  type: string;
  read: boolean;
  search: boolean;
}

export function parseResourceScope(scope: string): ScopeGrant | undefined {
  const match = /^(patient|user)\/([A-Za-z]+|\*)\.([a-z*]+)$/.exec(scope);
  if (!match) return undefined;
  const [, level, type, permission] = match as unknown as [string, 'patient' | 'user', string, string];
  if (permission === 'read' || permission === '*') return { level, type, read: true, search: true };
  // v2: a subset of c r u d s, in that order.
  if (!/^c?r?u?d?s?$/.test(permission)) return undefined;
  return { level, type, read: permission.includes('r'), search: permission.includes('s') };
}

/**
 * What a token's scopes allow for one interaction on one type: any user-level grant (all patients), a
 * patient-level grant (the token's patient only), or nothing.
 */
export function accessFor(
  scopes: Iterable<string>,
  type: string,
  interaction: Interaction,
): 'user' | 'patient' | 'none' {
  let best: 'user' | 'patient' | 'none' = 'none';
  for (const scope of scopes) {
    const grant = parseResourceScope(scope);
    if (!grant || (grant.type !== '*' && grant.type !== type) || !grant[interaction]) continue;
    if (grant.level === 'user') return 'user';
    best = 'patient';
  }
  return best;
}
