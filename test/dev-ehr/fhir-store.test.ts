import { beforeAll, describe, expect, test } from 'vitest';
import { CATALOG } from '../../functions/dev-ehr/catalog';
import { FhirStore, loadBundledStore, referenceId } from '../../functions/dev-ehr/fhir-store';
import { SCENARIOS } from '../../functions/dev-ehr/scenarios';

let store: FhirStore;
beforeAll(async () => {
  store = await loadBundledStore();
});

const search = (type: string, query: string) =>
  store.search(type, new Map([...new URLSearchParams(query)].map(([k, v]) => [k, [v]]))).map((r) => r.id);

describe('the bundled synthetic patients', () => {
  test('six scenarios, each a fictional Testperson with an encounter; every reference resolves', () => {
    expect(SCENARIOS).toHaveLength(6);
    for (const scenario of SCENARIOS) {
      const patient = store.read('Patient', scenario.patientId);
      expect(JSON.stringify(patient?.name)).toContain('Testperson');
      expect(store.read('Encounter', `${scenario.patientId}-enc`)).toBeDefined();
      expect(CATALOG.some((c) => c.key === scenario.orderMedication)).toBe(true);
    }
    const all = SUPPORTED.flatMap((type) => store.all(type));
    for (const resource of all) {
      for (const ref of JSON.stringify(resource).matchAll(/"reference":"([A-Za-z]+)\/([^"]+)"/g)) {
        expect(
          store.read(ref[1] ?? '', ref[2] ?? ''),
          `${resource.resourceType}/${resource.id} → ${ref[0]}`,
        ).toBeDefined();
      }
    }
  });

  test('genomic results are grouped by a genomic report (LOINC 51969-4) for every patient but one', () => {
    const reports = store.all('DiagnosticReport');
    expect(reports.map((r) => FhirStore.patientOf(r)).sort()).toEqual(
      SCENARIOS.map((s) => s.patientId)
        .filter((id) => id !== 'dev-no-genomics')
        .sort(),
    );
    for (const report of reports) {
      const results = (report.result as { reference: string }[]).map((r) => r.reference.split('/')[1] ?? '');
      const observations = store
        .all('Observation')
        .filter((o) => FhirStore.patientOf(o) === FhirStore.patientOf(report));
      expect(results.sort()).toEqual(observations.map((o) => o.id).sort());
    }
    expect(search('Observation', 'patient=dev-no-genomics')).toEqual([]);
  });

  test('the TTP patient has two pathogenic ADAMTS13 variants (biallelic)', () => {
    const ids = search('Observation', 'patient=dev-ttp&code=http://loinc.org|69548-6');
    expect(ids).toHaveLength(2);
    const implications = store
      .search(
        'Observation',
        new Map([
          ['patient', ['dev-ttp']],
          ['code', ['diagnostic-implication']],
        ]),
      )
      .map((o) => JSON.stringify(o));
    expect(implications).toHaveLength(2);
    for (const text of implications) expect(text).toContain('LA6668-3');
  });
});

describe('search', () => {
  test('token search: system|code, code, |code and system|, comma = or', () => {
    expect(search('Observation', 'patient=dev-cyp2c19&code=http://loinc.org|84413-4')).toEqual([
      'dev-cyp2c19-cyp2c19-geno',
    ]);
    expect(search('Observation', 'patient=dev-cyp2c19&code=84413-4')).toEqual(['dev-cyp2c19-cyp2c19-geno']);
    expect(search('Observation', 'patient=dev-cyp2c19&code=|84413-4')).toEqual([]);
    expect(search('Observation', 'patient=dev-cyp2c19&code=http://loinc.org|')).toEqual([
      'dev-cyp2c19-cyp2c19-geno',
    ]);
    expect(
      search(
        'Observation',
        'patient=Patient/dev-cyp2c19&code=http://loinc.org|84413-4,http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs|therapeutic-implication',
      ).sort(),
    ).toEqual(['dev-cyp2c19-cyp2c19-clopidogrel', 'dev-cyp2c19-cyp2c19-geno']);
  });

  test('MedicationRequest by status; Condition by patient; unknown parameters ignored', () => {
    expect(search('MedicationRequest', 'patient=dev-cyp2c19&status=active')).toHaveLength(2);
    expect(search('MedicationRequest', 'patient=dev-cyp2c19&status=stopped,draft')).toEqual([]);
    expect(search('Condition', 'subject=Patient/dev-hla-b5701&_sort=-recorded-date')).toEqual([
      'dev-hla-b5701-cond-1',
    ]);
    expect(search('Patient', '_id=dev-fvl')).toEqual(['dev-fvl']);
    expect(search('Patient', 'identifier=https://dev-ehr.tailor.invalid/mrn|MRN-100005')).toEqual([
      'dev-fvl',
    ]);
  });

  test('references: relative, bare and absolute', () => {
    expect(referenceId('Patient/a', 'Patient')).toBe('a');
    expect(referenceId('a', 'Patient')).toBe('a');
    expect(referenceId('http://x.example/fhir/Patient/a', 'Patient')).toBe('a');
    expect(referenceId('Group/a', 'Patient')).toBeUndefined();
  });
});

const SUPPORTED = [
  'Patient',
  'Observation',
  'DiagnosticReport',
  'Condition',
  'MedicationRequest',
  'Encounter',
  'Medication',
  'Practitioner',
  'Organization',
];
