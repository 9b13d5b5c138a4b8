// Plainly fictional FHIR R4 resources for the FHIR adapter tests.

export const PATIENT = {
  resourceType: 'Patient',
  id: 'test-patient-1',
  name: [{ family: 'Testperson', given: ['Ada'] }],
};

const LOINC = 'http://loinc.org';

/** A genotype Observation for the test patient. */
export function observation(n: number, patient = PATIENT.id, code = '84413-4') {
  return {
    resourceType: 'Observation',
    id: `obs-${patient}-${n}`,
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
        ],
      },
    ],
    code: { coding: [{ system: LOINC, code }] },
    subject: { reference: `Patient/${patient}` },
  };
}

export const MEDICATION = {
  resourceType: 'Medication',
  id: 'med-1',
  code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '2670' }] },
};

export const MEDICATION_REQUEST = {
  resourceType: 'MedicationRequest',
  id: 'mr-1',
  status: 'active',
  intent: 'order',
  subject: { reference: `Patient/${PATIENT.id}` },
  medicationReference: { reference: 'Medication/med-1' },
};
