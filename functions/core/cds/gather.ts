import { unresolvedMedicationReferences } from '../medications/orders';
import type { FhirFetchResult, FhirSource, FhirSourceFactory } from '../ports';
import { fillPrefetchTemplate } from './prefetch-template';
import type { CdsRequest } from './request';
import type { ServiceDefinition } from './services';

/** What the rules read, gathered from prefetch and, where it is missing, from the EHR's FHIR server. */
export interface FhirData {
  /** The patient, genomic Observations and reports, Conditions: everything findings are read from. */
  patientResources: unknown[];
  /** The patient's active MedicationRequests. */
  activeMedications: unknown[];
  /** Medications that orders reference, by "Medication/<id>" and by full URL. */
  medications: Map<string, unknown>;
}

export type Gathered =
  | { kind: 'ok'; data: FhirData }
  /** Data is missing and there is no FHIR server to fetch it from: the EHR gets 412. */
  | { kind: 'unfetchable'; problem: string }
  /** Fetching was possible but failed: the clinician gets a "check could not be completed" card. */
  | { kind: 'failed'; reason: string };

const MEDICATION_KEY = 'activeMedications';

/**
 * CDS Hooks prefetch semantics: a key present is used as given; `null` means the EHR has no data (never
 * re-queried); a key absent is fetched from fhirServer with the fhirAuthorization token, all keys at once,
 * within one time budget. Bundles' `next` links are followed.
 */
export async function gatherPrefetch(
  service: ServiceDefinition,
  request: CdsRequest,
  deps: { fhir: FhirSourceFactory; fetchBudgetMs: number },
): Promise<Gathered> {
  const given = request.prefetch ?? {};
  const server = request.fhirServer;
  const source: FhirSource | undefined = server
    ? deps.fhir(server, request.fhirAuthorization?.access_token)
    : undefined;
  const signal = AbortSignal.timeout(deps.fetchBudgetMs);
  const byKey = new Map<string, Promise<FhirFetchResult>>();
  for (const [key, template] of Object.entries(service.prefetch)) {
    const value = Object.hasOwn(given, key) ? given[key] : undefined;
    if (value === null) {
      byKey.set(key, Promise.resolve({ ok: true, resources: [] }));
    } else if (value !== undefined) {
      byKey.set(key, fromPrefetch(value, source, signal));
    } else if (!source) {
      return {
        kind: 'unfetchable',
        problem: `prefetch "${key}" is missing and the request names no fhirServer`,
      };
    } else {
      const filled = fillPrefetchTemplate(template, request.context as Record<string, unknown>);
      if ('error' in filled) return { kind: 'unfetchable', problem: filled.error };
      byKey.set(key, source.search(filled.query, { signal }));
    }
  }
  const results = new Map<string, FhirFetchResult>();
  await Promise.all([...byKey].map(async ([key, pending]) => results.set(key, await pending)));
  const failed = [...results].find(([, result]) => !result.ok);
  if (failed)
    return { kind: 'failed', reason: `the EHR's FHIR server could not be read (${failureOf(failed[1])})` };

  const resourcesOf = (key: string) => {
    const result = results.get(key);
    return result?.ok ? result.resources : [];
  };
  const activeMedications = resourcesOf(MEDICATION_KEY);
  const patientResources = Object.keys(service.prefetch)
    .filter((key) => key !== MEDICATION_KEY)
    .flatMap(resourcesOf);
  const medications = medicationsIn([...Object.values(given), ...activeMedications]);

  // Orders may reference Medications that are neither contained nor sent: read them too.
  const wanted = unresolvedMedicationReferences([request.context.draftOrders, ...activeMedications]).filter(
    (reference) => !medications.has(reference),
  );
  if (wanted.length > 0) {
    if (!source) {
      return {
        kind: 'unfetchable',
        problem: 'an order references a Medication that was not sent, and there is no fhirServer',
      };
    }
    const reads = await Promise.all(wanted.map((reference) => source.read(reference, { signal })));
    const failedRead = reads.find((read) => !read.ok);
    if (failedRead)
      return {
        kind: 'failed',
        reason: `a referenced Medication could not be read (${failureOf(failedRead)})`,
      };
    wanted.forEach((reference, i) => {
      const read = reads[i];
      if (read?.ok && read.resources[0]) medications.set(reference, read.resources[0]);
    });
  }
  return { kind: 'ok', data: { patientResources, activeMedications, medications } };
}

/** A prefetched value: a resource, or a Bundle whose further pages are fetched when a server is known. */
async function fromPrefetch(
  value: unknown,
  source: FhirSource | undefined,
  signal: AbortSignal,
): Promise<FhirFetchResult> {
  if (!value || typeof value !== 'object') return { ok: false, reason: 'bad-response' };
  const record = value as { resourceType?: unknown; entry?: unknown; link?: unknown };
  if (record.resourceType === 'OperationOutcome') return { ok: false, reason: 'bad-response' };
  if (record.resourceType !== 'Bundle') return { ok: true, resources: [value] };
  const resources = Array.isArray(record.entry)
    ? record.entry
        .map((e: { resource?: unknown } | null) => e?.resource)
        .filter((r) => r !== undefined && r !== null)
    : [];
  const next = Array.isArray(record.link)
    ? (record.link as { relation?: unknown; url?: unknown }[]).find((l) => l?.relation === 'next')?.url
    : undefined;
  if (typeof next !== 'string') return { ok: true, resources };
  if (!source) return { ok: false, reason: 'unreachable' };
  const rest = await source.search(next, { signal });
  return rest.ok ? { ok: true, resources: [...resources, ...rest.resources] } : rest;
}

function medicationsIn(values: unknown[]): Map<string, unknown> {
  const found = new Map<string, unknown>();
  const visit = (value: unknown, fullUrl?: string) => {
    if (!value || typeof value !== 'object') return;
    const record = value as { resourceType?: unknown; id?: unknown; entry?: unknown };
    if (record.resourceType === 'Medication') {
      if (typeof record.id === 'string') found.set(`Medication/${record.id}`, value);
      if (fullUrl) found.set(fullUrl, value);
    } else if (record.resourceType === 'Bundle' && Array.isArray(record.entry)) {
      for (const entry of record.entry as { resource?: unknown; fullUrl?: unknown }[]) {
        visit(entry?.resource, typeof entry?.fullUrl === 'string' ? entry.fullUrl : undefined);
      }
    }
  };
  for (const value of values) visit(value);
  return found;
}

function failureOf(result: FhirFetchResult): string {
  return result.ok ? 'ok' : `${result.reason}${result.status ? ` ${result.status}` : ''}`;
}
