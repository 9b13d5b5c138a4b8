/**
 * The CDS Hooks services Tailor offers (GET /cds-services). Prefetch templates ask for exactly what the rules
 * read: the patient, genomic Observations and reports, Conditions, and active medication orders.
 */

export type Hook = 'order-select' | 'order-sign' | 'patient-view';

export interface ServiceDefinition {
  id: string;
  hook: Hook;
  title: string;
  description: string;
  prefetch: Record<string, string>;
  usageRequirements?: string;
}

/** LOINC codes of the genomic Observations every FHIR shape Tailor reads uses (DOMAIN.md section 4). */
const GENOMIC_OBSERVATION_CODES = [
  '84413-4', // genotype
  '84414-2', // haplotype
  '69548-6', // variant
  '53040-2', // 2021 ballot / STU1: metabolism phenotype
  '51961-1', // efficacy phenotype
  '83009-1', // high-risk allele
  '53037-8', // STU1 clinical significance
];
const IMPLICATION_CODES = ['therapeutic-implication', 'diagnostic-implication'];

const observationQuery = `Observation?patient={{context.patientId}}&code=${[
  ...GENOMIC_OBSERVATION_CODES.map((code) => `http://loinc.org|${code}`),
  ...IMPLICATION_CODES.map(
    (code) => `http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs|${code}`,
  ),
].join(',')}`;

const COMMON_PREFETCH = {
  patient: 'Patient/{{context.patientId}}',
  genomicObservations: observationQuery,
  genomicReports:
    'DiagnosticReport?patient={{context.patientId}}&code=http://loinc.org|51969-4,http://loinc.org|81247-9',
  conditions: 'Condition?patient={{context.patientId}}',
  activeMedications: 'MedicationRequest?patient={{context.patientId}}&status=active',
};

const USAGE =
  'Grant read access to Patient, Observation, DiagnosticReport, Condition, MedicationRequest and Medication. ' +
  'Send prefetch where you can; missing keys are fetched from fhirServer with the fhirAuthorization token.';

export const SERVICES: readonly ServiceDefinition[] = [
  {
    id: 'tailor-order-select',
    hook: 'order-select',
    title: 'Tailor genomic medication check (order select)',
    description:
      "Checks the medication orders just selected against the patient's pharmacogenomic results and inherited " +
      'thrombophilia and bleeding disorders, and advises when the standard drug or dose is unsuitable.',
    prefetch: COMMON_PREFETCH,
    usageRequirements: USAGE,
  },
  {
    id: 'tailor-order-sign',
    hook: 'order-sign',
    title: 'Tailor genomic medication check (order sign)',
    description:
      "Checks every draft medication order against the patient's pharmacogenomic results and inherited " +
      'thrombophilia and bleeding disorders before signing.',
    prefetch: COMMON_PREFETCH,
    usageRequirements: USAGE,
  },
  {
    id: 'tailor-patient-view',
    hook: 'patient-view',
    title: 'Tailor genomic profile summary',
    description:
      "Summarises the patient's actionable genomic findings, the drugs they affect, and alerts for the " +
      'medications the patient is taking.',
    prefetch: COMMON_PREFETCH,
    usageRequirements: USAGE,
  },
];

export function serviceById(id: string): ServiceDefinition | undefined {
  return SERVICES.find((service) => service.id === id);
}
