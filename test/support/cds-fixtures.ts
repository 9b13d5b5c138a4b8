/**
 * CDS Hooks requests for tests, shaped like the CDS Hooks 2.0 specification's examples and the HL7 hook
 * library's order-select / order-sign contexts, with fictional patients and our own values.
 */

export const LOINC = 'http://loinc.org';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const ATC = 'http://www.whocc.no/atc';

export function patient(id: string): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    id,
    gender: 'female',
    birthDate: '1961-05-17',
    name: [{ text: 'Fictional Testperson' }],
  };
}

/** An STU3 genotype Observation with the gene and the diplotype as text. */
export function genotype(
  id: string,
  patientId: string,
  gene: string,
  hgnc: string,
  text: string,
): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: '84413-4', display: 'Genotype display name' }] },
    subject: { reference: `Patient/${patientId}` },
    issued: '2026-02-10T09:00:00Z',
    performer: [{ display: 'Fictional Genomics Laboratory' }],
    valueCodeableConcept: { text },
    component: [
      {
        code: { coding: [{ system: LOINC, code: '48018-6' }] },
        valueCodeableConcept: {
          coding: [{ system: 'http://www.genenames.org/geneId', code: hgnc, display: gene }],
        },
      },
    ],
  };
}

export function medicationRequest(
  id: string,
  patientId: string,
  medication: Record<string, unknown>,
  status = 'draft',
) {
  return {
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    ...medication,
  };
}

export const clopidogrelConcept = {
  medicationCodeableConcept: {
    coding: [{ system: RXNORM, code: '309362' }],
    text: 'clopidogrel 75 MG Oral Tablet',
  },
};

export function searchset(resources: unknown[], next?: string): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    ...(next ? { link: [{ relation: 'next', url: next }] } : {}),
    entry: resources.map((resource) => ({ resource })),
  };
}

export function draftOrders(...resources: unknown[]): Record<string, unknown> {
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}

let counter = 0;
/** A fresh hookInstance per request, as EHRs send. */
export function hookInstance(): string {
  counter++;
  return `d1577c69-dfbe-44ad-ba6d-${String(counter).padStart(12, '0')}`;
}

/** Every prefetch key of Tailor's services, filled: nothing needs fetching. */
export function fullPrefetch(
  patientId: string,
  observations: unknown[],
  active: unknown[] = [],
): Record<string, unknown> {
  return {
    patient: patient(patientId),
    genomicObservations: searchset(observations),
    genomicReports: searchset([]),
    conditions: searchset([]),
    activeMedications: searchset(active),
  };
}

export const CYP2C19_POOR = (patientId: string) =>
  genotype(`${patientId}-cyp2c19`, patientId, 'CYP2C19', 'HGNC:2621', 'CYP2C19 *2/*2');

export function orderSign(
  patientId: string,
  orders: unknown[],
  prefetch?: Record<string, unknown> | null,
): Record<string, unknown> {
  return {
    hook: 'order-sign',
    hookInstance: hookInstance(),
    context: {
      userId: 'PractitionerRole/123',
      patientId,
      encounterId: '89284',
      draftOrders: draftOrders(...orders),
    },
    ...(prefetch === null ? {} : { prefetch: prefetch ?? {} }),
  };
}

export const codeineConcept = { medicationCodeableConcept: { text: 'codeine 30 mg tablet' } };

export const CYP2D6_POOR = (patientId: string) =>
  genotype(`${patientId}-cyp2d6`, patientId, 'CYP2D6', 'HGNC:2625', 'CYP2D6 *4/*4');

/** order-select: the clinician picked `selections` (MedicationRequest ids) among the draft orders. */
export function orderSelect(
  patientId: string,
  orders: { id: string }[],
  selections: string[],
  prefetch?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    hook: 'order-select',
    hookInstance: hookInstance(),
    context: {
      userId: 'PractitionerRole/123',
      patientId,
      encounterId: '89284',
      selections: selections.map((id) => `MedicationRequest/${id}`),
      draftOrders: draftOrders(...orders),
    },
    prefetch: prefetch ?? {},
  };
}
