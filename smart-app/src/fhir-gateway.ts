import type Client from 'fhirclient/lib/Client';
import { SERVICES } from '../../functions/core/cds/services';

/**
 * What the app reads from the EHR, as an interface: the UI depends on this, the fhirclient implementation below
 * talks to the EHR, and tests use a fake.
 */
export interface FhirGateway {
  patient(): Promise<PatientRecord>;
  /** Genomic Observations and DiagnosticReports (the same queries as the CDS services' prefetch). */
  genomicResults(): Promise<FhirResource[]>;
  conditions(): Promise<FhirResource[]>;
  /** Active MedicationRequests and the Medications they reference. */
  activeMedications(): Promise<FhirResource[]>;
}

export interface FhirResource {
  resourceType: string;
  id?: string;
  [key: string]: unknown;
}

export interface PatientRecord {
  id: string;
  name: string;
  gender?: string;
  birthDate?: string;
  /** The first identifier's value (the EHR's record number, usually). */
  identifier?: string;
  resource: FhirResource;
}

/** session-expired: the EHR refused the token; forbidden: not granted; unavailable: anything else. */
export type FhirErrorKind = 'session-expired' | 'forbidden' | 'unavailable';

export class FhirGatewayError extends Error {
  override name = 'FhirGatewayError';
  constructor(
    readonly kind: FhirErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Prefetch templates shared with the CDS services, so the app and the cards read the same resources. */
const PREFETCH = SERVICES[0]?.prefetch ?? {};
const query = (key: string, patientId: string): string =>
  (PREFETCH[key] ?? '').replaceAll('{{context.patientId}}', encodeURIComponent(patientId));

const MAX_MEDICATIONS = 50;

export function fhirClientGateway(client: Client): FhirGateway {
  const patientId = (): string => {
    const id = client.patient.id;
    if (!id) throw new FhirGatewayError('unavailable', 'The EHR did not say which patient is open.');
    return String(id);
  };
  const search = async (url: string): Promise<FhirResource[]> => {
    try {
      const resources = await client.request<FhirResource[]>(url, { pageLimit: 0, flat: true });
      return (Array.isArray(resources) ? resources : []).filter(
        (r): r is FhirResource => typeof r === 'object' && r !== null && typeof r.resourceType === 'string',
      );
    } catch (error) {
      throw asGatewayError(error);
    }
  };
  return {
    async patient() {
      let resource: FhirResource;
      try {
        resource = (await client.request<FhirResource>(`Patient/${encodeURIComponent(patientId())}`)) ?? {};
      } catch (error) {
        throw asGatewayError(error);
      }
      return patientRecord(resource);
    },
    async genomicResults() {
      const [observations, reports] = await Promise.all([
        search(query('genomicObservations', patientId())),
        search(query('genomicReports', patientId())),
      ]);
      return [...observations, ...reports];
    },
    conditions: () => search(query('conditions', patientId())),
    async activeMedications() {
      const requests = await search(query('activeMedications', patientId()));
      const references = [
        ...new Set(
          requests.flatMap((r) => {
            const ref = (r.medicationReference as { reference?: unknown } | undefined)?.reference;
            return typeof ref === 'string' && /^Medication\/[A-Za-z0-9\-.]{1,64}$/.test(ref) ? [ref] : [];
          }),
        ),
      ].slice(0, MAX_MEDICATIONS);
      // A Medication that cannot be read leaves its order unrecognised, which the app shows as such.
      const medications = await Promise.all(
        references.map((ref) => client.request<FhirResource>(ref).catch(() => undefined)),
      );
      return [...requests, ...medications.filter((m): m is FhirResource => m?.resourceType === 'Medication')];
    },
  };
}

export function patientRecord(resource: FhirResource): PatientRecord {
  const names = Array.isArray(resource.name) ? (resource.name as Record<string, unknown>[]) : [];
  const official = names.find((n) => n.use === 'official') ?? names[0];
  const given = Array.isArray(official?.given) ? (official.given as unknown[]).map(String) : [];
  const family = typeof official?.family === 'string' ? official.family : '';
  const name =
    typeof official?.text === 'string' && official.text.trim() !== ''
      ? official.text
      : [...given, family].join(' ').trim() || 'Unnamed patient';
  const identifiers = Array.isArray(resource.identifier)
    ? (resource.identifier as { value?: unknown }[])
    : [];
  const identifier = identifiers.find((i) => typeof i.value === 'string')?.value as string | undefined;
  return {
    id: String(resource.id ?? ''),
    name,
    ...(typeof resource.gender === 'string' ? { gender: resource.gender } : {}),
    ...(typeof resource.birthDate === 'string' ? { birthDate: resource.birthDate } : {}),
    ...(identifier ? { identifier } : {}),
    resource,
  };
}

function asGatewayError(error: unknown): FhirGatewayError {
  if (error instanceof FhirGatewayError) return error;
  const status = (error as { status?: unknown } | null)?.status;
  if (status === 401)
    return new FhirGatewayError('session-expired', 'The EHR no longer accepts this session.', 401);
  if (status === 403)
    return new FhirGatewayError('forbidden', 'The EHR did not grant access to these records.', 403);
  // fhirclient throws plain errors for an expired token it cannot refresh.
  if (error instanceof Error && /expired|refresh/i.test(error.message))
    return new FhirGatewayError('session-expired', 'The session with the EHR has expired.');
  return new FhirGatewayError(
    'unavailable',
    typeof status === 'number'
      ? `The EHR's FHIR server answered ${status}.`
      : "The EHR's FHIR server could not be reached.",
    typeof status === 'number' ? status : undefined,
  );
}
