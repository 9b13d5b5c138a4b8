import type Client from 'fhirclient/lib/Client';
import { describe, expect, it } from 'vitest';
import { FhirGatewayError, fhirClientGateway, patientRecord } from '../../smart-app/src/fhir-gateway';

/** Just enough of a fhirclient Client: a patient id and request(). */
function fakeClient(answer: (url: string) => unknown, patientId: string | null = 'p-1') {
  const calls: { url: string; options: unknown }[] = [];
  const client = {
    patient: { id: patientId },
    request: async (url: string, options?: unknown) => {
      calls.push({ url, options });
      const result = answer(url);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as Client;
  return { client, calls };
}

const httpError = (status: number) => Object.assign(new Error(`${status}`), { status });

describe('fhirClientGateway', () => {
  it('reads with the same queries as the CDS services, every page, for the launch patient', async () => {
    const { client, calls } = fakeClient((url) =>
      url.startsWith('Patient/')
        ? { resourceType: 'Patient', id: 'p-1', name: [{ given: ['Ada'], family: 'Testperson' }] }
        : [],
    );
    const gateway = fhirClientGateway(client);
    expect((await gateway.patient()).name).toBe('Ada Testperson');
    await gateway.genomicResults();
    await gateway.conditions();
    await gateway.activeMedications();
    const urls = calls.map((c) => c.url);
    expect(urls[0]).toBe('Patient/p-1');
    expect(urls[1]).toMatch(/^Observation\?patient=p-1&code=http:\/\/loinc.org\|84413-4,/);
    expect(urls[2]).toMatch(/^DiagnosticReport\?patient=p-1&code=/);
    expect(urls[3]).toBe('Condition?patient=p-1');
    expect(urls[4]).toBe('MedicationRequest?patient=p-1&status=active');
    expect(calls[1]?.options).toEqual({ pageLimit: 0, flat: true });
  });

  it('fetches the Medications that active orders reference; an unreadable one leaves its order unresolved', async () => {
    const { client, calls } = fakeClient((url) => {
      if (url.startsWith('MedicationRequest'))
        return [
          { resourceType: 'MedicationRequest', id: 'a', medicationReference: { reference: 'Medication/m1' } },
          { resourceType: 'MedicationRequest', id: 'b', medicationReference: { reference: 'Medication/m1' } },
          {
            resourceType: 'MedicationRequest',
            id: 'c',
            medicationReference: { reference: 'Medication/gone' },
          },
          {
            resourceType: 'MedicationRequest',
            id: 'd',
            medicationReference: { reference: 'https://elsewhere.example/x' },
          },
        ];
      if (url === 'Medication/m1') return { resourceType: 'Medication', id: 'm1' };
      return httpError(404);
    });
    const resources = await fhirClientGateway(client).activeMedications();
    expect(resources.map((r) => `${r.resourceType}/${r.id}`)).toEqual([
      'MedicationRequest/a',
      'MedicationRequest/b',
      'MedicationRequest/c',
      'MedicationRequest/d',
      'Medication/m1',
    ]);
    expect(calls.filter((c) => c.url.startsWith('Medication/'))).toHaveLength(2);
  });

  it.each([
    [401, 'session-expired'],
    [403, 'forbidden'],
    [500, 'unavailable'],
  ])('maps HTTP %i to %s', async (status, kind) => {
    const { client } = fakeClient(() => httpError(status));
    const error = await fhirClientGateway(client)
      .genomicResults()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirGatewayError);
    expect(error).toMatchObject({ kind });
  });

  it('maps a network failure to unavailable, and a launch without a patient to an error', async () => {
    const { client } = fakeClient(() => new TypeError('Failed to fetch'));
    await expect(fhirClientGateway(client).conditions()).rejects.toMatchObject({ kind: 'unavailable' });
    const { client: noPatient } = fakeClient(() => [], null);
    await expect(fhirClientGateway(noPatient).patient()).rejects.toBeInstanceOf(FhirGatewayError);
  });
});

describe('patientRecord', () => {
  it('prefers the official name and its text, and the first identifier', () => {
    expect(
      patientRecord({
        resourceType: 'Patient',
        id: 'x',
        name: [
          { use: 'nickname', text: 'Nick' },
          { use: 'official', given: ['Ada', 'B.'], family: 'Testperson' },
        ],
        identifier: [{ system: 'urn:mrn', value: 'MRN-1' }],
        gender: 'female',
        birthDate: '1970-01-01',
      }),
    ).toMatchObject({
      id: 'x',
      name: 'Ada B. Testperson',
      identifier: 'MRN-1',
      gender: 'female',
      birthDate: '1970-01-01',
    });
    expect(patientRecord({ resourceType: 'Patient', id: 'y' }).name).toBe('Unnamed patient');
  });
});
