import { readFile } from 'node:fs/promises';
import type { GeneResult } from '../../functions/core/model';
import {
  type AssessmentRequest,
  type AssessmentResponse,
  buildAssessment,
} from '../../functions/http/app-api';
import type { FhirGateway, FhirResource } from '../../smart-app/src/fhir-gateway';
import { patientRecord } from '../../smart-app/src/fhir-gateway';
import type { TailorService } from '../../smart-app/src/tailor-service';
import { bundledRuleSet } from '../support/bundled-rules';

/** An example bundle's resources, split the way the gateway returns them. */
export async function exampleRecords(name: string): Promise<{
  patient: FhirResource;
  genomic: FhirResource[];
  conditions: FhirResource[];
  medications: FhirResource[];
}> {
  const bundle = JSON.parse(await readFile(`examples/bundles/${name}.json`, 'utf8')) as {
    entry: { resource: FhirResource }[];
  };
  const all = bundle.entry.map((e) => e.resource);
  return {
    patient: all.find((r) => r.resourceType === 'Patient') as FhirResource,
    genomic: all.filter((r) => r.resourceType === 'Observation' || r.resourceType === 'DiagnosticReport'),
    conditions: all.filter((r) => r.resourceType === 'Condition'),
    medications: all.filter((r) => r.resourceType === 'MedicationRequest' || r.resourceType === 'Medication'),
  };
}

export function fakeGateway(records: Awaited<ReturnType<typeof exampleRecords>>): FhirGateway {
  return {
    patient: async () => patientRecord(records.patient),
    genomicResults: async () => records.genomic,
    conditions: async () => records.conditions,
    activeMedications: async () => records.medications,
  };
}

/** The real assessment (bundled rules, the API's own function), without HTTP; records each request. */
export function realService(
  options: { transform?: (answer: AssessmentResponse) => AssessmentResponse } = {},
) {
  const requests: AssessmentRequest[] = [];
  const service: TailorService = {
    async assess(request) {
      requests.push(request);
      const answer = await buildAssessment(request, await bundledRuleSet());
      return options.transform ? options.transform(answer) : answer;
    },
    async drugs() {
      const ruleSet = await bundledRuleSet();
      return {
        ruleSetVersion: ruleSet.kb.version,
        drugs: [{ key: 'clopidogrel', name: 'clopidogrel', aliases: [], hasRules: true }],
      };
    },
  };
  return { service, requests };
}

export function gene(overrides: Partial<GeneResult> & { gene: string }): GeneResult {
  return {
    origin: 'germline',
    status: 'called',
    lookupKey: 'Normal Metabolizer',
    notes: [],
    sources: [
      {
        resourceType: 'Observation',
        shape: 'stu3',
        performer: 'Fictional Lab',
        issued: '2026-01-02T00:00:00Z',
      },
    ],
    ...overrides,
  };
}
