import { readdir, readFile } from 'node:fs/promises';
import { catalogMedications } from './catalog';

/** A FHIR resource as JSON; only `resourceType` and `id` are relied on everywhere. */
export type Resource = Record<string, unknown> & { resourceType: string; id: string };

/** Resource types whose instances belong to one patient (the patient compartment, for what we hold). */
export const PATIENT_COMPARTMENT = new Set([
  'Patient',
  'Observation',
  'DiagnosticReport',
  'Condition',
  'MedicationRequest',
  'Encounter',
]);

/**
 * The search parameters each type understands. Others (`_sort`, `_include`, ...) are ignored, FHIR's lenient
 * default handling; the Bundle's self link names only the parameters applied.
 */
const SEARCH_PARAMS: Record<string, readonly string[]> = {
  Patient: ['_id', 'identifier'],
  Observation: ['_id', 'patient', 'subject', 'code', 'category', 'status'],
  DiagnosticReport: ['_id', 'patient', 'subject', 'code', 'category', 'status'],
  Condition: ['_id', 'patient', 'subject', 'code', 'category', 'clinical-status'],
  MedicationRequest: ['_id', 'patient', 'subject', 'status', 'intent', 'encounter'],
  Encounter: ['_id', 'patient', 'subject', 'status'],
  Medication: ['_id', 'code'],
  Practitioner: ['_id'],
  Organization: ['_id'],
};

export const SUPPORTED_TYPES = Object.keys(SEARCH_PARAMS);

export class SearchError extends Error {
  override name = 'SearchError';
}

/** The EHR's data: read-only, in memory. */
export class FhirStore {
  private readonly byKey = new Map<string, Resource>();

  constructor(resources: readonly Resource[]) {
    for (const resource of resources) this.byKey.set(`${resource.resourceType}/${resource.id}`, resource);
  }

  read(type: string, id: string): Resource | undefined {
    return this.byKey.get(`${type}/${id}`);
  }

  all(type: string): Resource[] {
    return [...this.byKey.values()].filter((r) => r.resourceType === type);
  }

  /**
   * Search one type. `params` holds every occurrence of each parameter (repeats are AND, commas are OR), as in
   * FHIR. Throws SearchError for an unknown type.
   */
  search(type: string, params: ReadonlyMap<string, readonly string[]>): Resource[] {
    if (!SEARCH_PARAMS[type]) throw new SearchError(`resource type ${type} is not supported`);
    let results = this.all(type);
    for (const [name, values] of params) {
      if (!FhirStore.isSearchParam(type, name)) continue;
      for (const value of values) {
        const alternatives = value.split(',').filter((v) => v !== '');
        results = results.filter((r) => alternatives.some((alt) => matches(r, name, alt)));
      }
    }
    return results;
  }

  static isSearchParam(type: string, name: string): boolean {
    return SEARCH_PARAMS[type]?.includes(name) ?? false;
  }

  /** The patient a compartment resource belongs to, if any. */
  static patientOf(resource: Resource): string | undefined {
    if (resource.resourceType === 'Patient') return resource.id;
    const subject = (resource.subject ?? resource.patient) as { reference?: unknown } | undefined;
    return typeof subject?.reference === 'string' ? referenceId(subject.reference, 'Patient') : undefined;
  }
}

/** A patient's display name: `name[0].text`, else given and family names. */
export function patientName(patient: Record<string, unknown>): string {
  const name = (patient.name as { text?: string; given?: string[]; family?: string }[] | undefined)?.[0];
  return name?.text ?? [...(name?.given ?? []), name?.family].filter(Boolean).join(' ');
}

/** `Patient/123`, `123` or an absolute URL ending in `Patient/123` → `123`. */
export function referenceId(reference: string, type: string): string | undefined {
  const parts = reference.split('/');
  if (parts.length === 1) return reference;
  const at = parts.lastIndexOf(type);
  return at >= 0 && at === parts.length - 2 ? parts[at + 1] : undefined;
}

interface Coding {
  system?: string;
  code?: string;
}

function codings(concept: unknown): Coding[] {
  const list = Array.isArray(concept) ? concept : [concept];
  return list.flatMap((c) =>
    c && typeof c === 'object' && Array.isArray((c as { coding?: unknown }).coding)
      ? ((c as { coding: Coding[] }).coding ?? [])
      : [],
  );
}

/** FHIR token search: `system|code`, `|code` (no system), `system|` (any code), or `code`. */
function tokenMatches(concept: unknown, token: string): boolean {
  const bar = token.indexOf('|');
  const list = codings(concept);
  if (bar < 0) return list.some((c) => c.code === token);
  const system = token.slice(0, bar);
  const code = token.slice(bar + 1);
  return list.some(
    (c) => (system === '' ? c.system === undefined : c.system === system) && (code === '' || c.code === code),
  );
}

function matches(resource: Resource, name: string, value: string): boolean {
  switch (name) {
    case '_id':
      return resource.id === value;
    case 'patient':
    case 'subject': {
      const patient = FhirStore.patientOf(resource);
      return (
        resource.resourceType !== 'Patient' &&
        patient !== undefined &&
        patient === referenceId(value, 'Patient')
      );
    }
    case 'encounter': {
      const ref = (resource.encounter as { reference?: string } | undefined)?.reference;
      return typeof ref === 'string' && referenceId(ref, 'Encounter') === referenceId(value, 'Encounter');
    }
    case 'code':
      return tokenMatches(resource.code, value);
    case 'category':
      return tokenMatches(resource.category, value);
    case 'clinical-status':
      return tokenMatches(resource.clinicalStatus, value);
    case 'identifier': {
      const ids = Array.isArray(resource.identifier)
        ? (resource.identifier as { system?: string; value?: string }[])
        : [];
      const bar = value.indexOf('|');
      return ids.some((id) =>
        bar < 0 ? id.value === value : id.system === value.slice(0, bar) && id.value === value.slice(bar + 1),
      );
    }
    case 'status':
    case 'intent':
      return resource[name] === value;
    default:
      return false;
  }
}

/** The bundled synthetic patients (./patients/*.json, collection Bundles) and the drug catalogue. */
export async function loadBundledStore(dir = new URL('./patients/', import.meta.url)): Promise<FhirStore> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const resources: Resource[] = [];
  for (const file of files) {
    const bundle = JSON.parse(await readFile(new URL(file, dir), 'utf8')) as {
      entry?: { resource?: Resource }[];
    };
    for (const entry of bundle.entry ?? []) if (entry.resource) resources.push(entry.resource);
  }
  return new FhirStore([...resources, ...(catalogMedications() as Resource[])]);
}
