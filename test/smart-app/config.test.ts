import { describe, expect, it } from 'vitest';
import { loadConfig, scopesFor } from '../../smart-app/src/config';

const fetchJson = (body: unknown, status = 200) =>
  (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

describe('loadConfig', () => {
  it('reads the client id and resolves the API base against the page', async () => {
    const here = 'https://tailor.example.org/app/index.html';
    expect(await loadConfig(fetchJson({ clientId: 'tailor' }), here)).toEqual({
      clientId: 'tailor',
      apiBase: 'https://tailor.example.org/',
    });
    expect(
      await loadConfig(fetchJson({ clientId: 'tailor', apiBase: 'https://api.example.org/v1' }), here),
    ).toEqual({
      clientId: 'tailor',
      apiBase: 'https://api.example.org/v1',
    });
  });

  it('refuses a configuration without a client id', async () => {
    await expect(loadConfig(fetchJson({}), 'https://x.example/app/')).rejects.toThrow(/clientId/);
    await expect(loadConfig(fetchJson({}, 404), 'https://x.example/app/')).rejects.toThrow(/404/);
  });
});

describe('scopesFor', () => {
  it('asks for read-only patient access, the user identity, and the launch context', () => {
    const resources =
      'openid fhirUser patient/Patient.rs patient/Observation.rs patient/DiagnosticReport.rs patient/Condition.rs patient/MedicationRequest.rs patient/Medication.rs';
    expect(scopesFor(true)).toBe(`launch ${resources}`);
    expect(scopesFor(false)).toBe(`launch/patient ${resources}`);
  });
});
