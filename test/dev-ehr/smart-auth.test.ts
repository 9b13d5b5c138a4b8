import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DevEhr, startDevEhr } from '../../functions/dev-ehr';
import {
  type AuthorizeRequest,
  authorizeUrl,
  browse,
  CookieJar,
  exchangeCode,
  iframeSrc,
  type Landing,
  pkce,
} from './oauth-client';

// The development EHR's SMART authorization server, driven by hand over HTTP as a browser and an app would.

const CLIENT_ID = 'tailor-smart-app';
const APP = 'http://127.0.0.1:3999/app';
const REDIRECT = `${APP}/index.html`;
const EHR_SCOPE =
  'launch openid fhirUser patient/Patient.rs patient/Observation.rs patient/DiagnosticReport.rs patient/Condition.rs patient/MedicationRequest.rs patient/Medication.rs';

let ehr: DevEhr;
let smart: Record<string, unknown>;

beforeAll(async () => {
  ehr = await startDevEhr({
    cdsServiceUrl: 'http://127.0.0.1:9',
    smartApp: { clientId: CLIENT_ID, launchUrl: `${APP}/launch.html`, redirectUris: [REDIRECT] },
  });
  smart = (await (await fetch(`${ehr.fhirBaseUrl}/.well-known/smart-configuration`)).json()) as Record<
    string,
    unknown
  >;
});
afterAll(async () => {
  await ehr?.close();
});

const authorize = (request: Partial<AuthorizeRequest>) =>
  authorizeUrl({
    authorizationEndpoint: String(smart.authorization_endpoint),
    clientId: CLIENT_ID,
    redirectUri: REDIRECT,
    scope: EHR_SCOPE,
    aud: ehr.fhirBaseUrl,
    pkce: pkce(),
    ...request,
  });

async function launchFor(patientId: string, jar = new CookieJar(), query = ''): Promise<URL> {
  const page = await browse(`${ehr.launchPageUrl(patientId)}${query}`, jar, REDIRECT);
  if (page.kind !== 'page') throw new Error('expected the frame page');
  return iframeSrc(page.html);
}

function callback(landing: Landing): URL {
  if (landing.kind !== 'callback')
    throw new Error(`expected a redirect to the app, got ${landing.status}: ${landing.html.slice(0, 300)}`);
  return landing.url;
}

/** The whole EHR launch: frame → authorize (PKCE, aud, launch) → code → token. */
async function ehrLaunch(patientId: string, jar = new CookieJar(), scope = EHR_SCOPE) {
  const src = await launchFor(patientId, jar);
  const verifier = pkce();
  const state = 'state-123';
  const landing = await browse(
    authorize({ launch: src.searchParams.get('launch') ?? '', pkce: verifier, state, scope }),
    jar,
    REDIRECT,
  );
  const back = callback(landing);
  expect(back.searchParams.get('state')).toBe(state);
  const code = back.searchParams.get('code');
  expect(code).toBeTruthy();
  return exchangeCode(String(smart.token_endpoint), {
    code: code ?? '',
    clientId: CLIENT_ID,
    redirectUri: REDIRECT,
    verifier: verifier.verifier,
  });
}

const fhirGet = (path: string, token?: string) =>
  fetch(`${ehr.fhirBaseUrl}/${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('SMART discovery', () => {
  test('smart-configuration names the endpoints, PKCE S256 and the capabilities', async () => {
    expect(smart).toMatchObject({
      issuer: ehr.issuer,
      authorization_endpoint: `${ehr.issuer}/authorize`,
      token_endpoint: `${ehr.issuer}/token`,
      jwks_uri: `${ehr.issuer}/jwks`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(smart.capabilities).toEqual(
      expect.arrayContaining([
        'launch-ehr',
        'launch-standalone',
        'client-public',
        'context-ehr-patient',
        'context-standalone-patient',
        'permission-v2',
        'sso-openid-connect',
      ]),
    );
    const response = await fetch(`${ehr.fhirBaseUrl}/.well-known/smart-configuration`, {
      headers: { origin: 'http://127.0.0.1:3999' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('openid-configuration under the FHIR base is the issuer’s own document', async () => {
    const response = await fetch(`${ehr.fhirBaseUrl}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: ehr.issuer,
      authorization_endpoint: smart.authorization_endpoint,
      token_endpoint: smart.token_endpoint,
      jwks_uri: smart.jwks_uri,
      code_challenge_methods_supported: ['S256'],
    });
    const direct = (await (await fetch(`${ehr.issuer}/.well-known/openid-configuration`)).json()) as unknown;
    expect(direct).toEqual(doc);
    const jwks = (await (await fetch(String(smart.jwks_uri))).json()) as {
      keys: { alg: string; d?: string }[];
    };
    expect(jwks.keys[0]).toMatchObject({ alg: 'RS256' });
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  test('the FHIR CapabilityStatement carries the SMART oauth-uris', async () => {
    const metadata = (await (await fhirGet('metadata')).json()) as { rest: { security: unknown }[] };
    expect(JSON.stringify(metadata.rest[0]?.security)).toContain(String(smart.token_endpoint));
  });
});

describe('EHR launch', () => {
  test('authorization code flow with PKCE, aud and launch: patient, encounter and a signed id_token', async () => {
    const src = await launchFor('dev-cyp2c19');
    expect(src.origin + src.pathname).toBe(`${APP}/launch.html`);
    expect(src.searchParams.get('iss')).toBe(ehr.fhirBaseUrl);
    const token = await ehrLaunch('dev-cyp2c19');
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({
      token_type: 'Bearer',
      patient: 'dev-cyp2c19',
      encounter: 'dev-cyp2c19-enc',
      need_patient_banner: false,
      smart_style_url: `${ehr.url}/smart-style.json`,
    });
    expect(token.body.appContext).toBeUndefined();
    expect(String(token.body.scope).split(' ')).toEqual(
      expect.arrayContaining([
        'launch',
        'openid',
        'fhirUser',
        'patient/Observation.rs',
        'patient/Medication.rs',
      ]),
    );
    const jwks = createRemoteJWKSet(new URL(String(smart.jwks_uri)));
    const { payload, protectedHeader } = await jwtVerify(String(token.body.id_token), jwks, {
      issuer: ehr.issuer,
      audience: CLIENT_ID,
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: 'dev-clinician', fhirUser: 'Practitioner/dev-clinician' });
    const style = await fetch(String(token.body.smart_style_url));
    expect(((await style.json()) as Record<string, unknown>).color_highlight).toBeTruthy();
  });

  test('a second launch in the same browser session gets the new patient, not the old grant', async () => {
    const jar = new CookieJar();
    const first = await ehrLaunch('dev-fvl', jar);
    const second = await ehrLaunch('dev-antithrombin', jar);
    expect(first.body.patient).toBe('dev-fvl');
    expect(second.body.patient).toBe('dev-antithrombin');
  });

  test("a card's appContext and a banner request reach the token response", async () => {
    const appContext = JSON.stringify({ ruleId: 'cyp2c19-clopidogrel-poor-acs-pci', drug: 'clopidogrel' });
    const jar = new CookieJar();
    const frame = await browse(`${ehr.url}/patients/dev-cyp2c19/launch`, jar, REDIRECT, {
      method: 'POST',
      body: new URLSearchParams({
        appContext,
        needPatientBanner: 'true',
        launchUrl: `${APP}/launch.html?x=1`,
      }).toString(),
    });
    if (frame.kind !== 'page') throw new Error('expected the frame page');
    const src = iframeSrc(frame.html);
    expect(src.searchParams.get('x')).toBe('1');
    const verifier = pkce();
    const back = callback(
      await browse(
        authorize({ launch: src.searchParams.get('launch') ?? '', pkce: verifier }),
        jar,
        REDIRECT,
      ),
    );
    const token = await exchangeCode(String(smart.token_endpoint), {
      code: back.searchParams.get('code') ?? '',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT,
      verifier: verifier.verifier,
    });
    expect(token.body).toMatchObject({ patient: 'dev-cyp2c19', appContext, need_patient_banner: true });
  });

  test('v1 scopes (patient/*.read) are granted too', async () => {
    const token = await ehrLaunch('dev-ttp', new CookieJar(), 'launch openid fhirUser patient/*.read');
    expect(token.status).toBe(200);
    expect(String(token.body.scope)).toContain('patient/*.read');
    const observations = await fhirGet('Observation?patient=dev-ttp', String(token.body.access_token));
    expect(observations.status).toBe(200);
  });
});

describe('standalone launch', () => {
  test('launch/patient shows a patient picker; the chosen patient comes back with a banner request', async () => {
    const jar = new CookieJar();
    const verifier = pkce();
    const picker = await browse(
      authorize({ scope: 'launch/patient openid fhirUser patient/*.rs', pkce: verifier }),
      jar,
      REDIRECT,
    );
    if (picker.kind !== 'page') throw new Error('expected the patient picker');
    expect(picker.status).toBe(200);
    expect(picker.html).toContain('Choose a patient');
    const action = /<form method="post" action="([^"]+)"/.exec(picker.html)?.[1] ?? '';
    expect(picker.html).toContain('value="dev-hla-b5701"');
    const back = callback(
      await browse(new URL(action, picker.url).href, jar, REDIRECT, {
        method: 'POST',
        body: 'patient=dev-hla-b5701',
      }),
    );
    const token = await exchangeCode(String(smart.token_endpoint), {
      code: back.searchParams.get('code') ?? '',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT,
      verifier: verifier.verifier,
    });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ patient: 'dev-hla-b5701', need_patient_banner: true });
    expect(token.body.id_token).toBeTruthy();
  });

  test('cancelling the picker returns access_denied to the app', async () => {
    const jar = new CookieJar();
    const picker = await browse(authorize({ scope: 'launch/patient openid patient/*.rs' }), jar, REDIRECT);
    if (picker.kind !== 'page') throw new Error('expected the patient picker');
    const action = /<form method="post" action="([^"]+)"/.exec(picker.html)?.[1] ?? '';
    const back = callback(
      await browse(new URL(action, picker.url).href, jar, REDIRECT, { method: 'POST', body: 'cancel=1' }),
    );
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('code')).toBeNull();
  });
});

describe('refusals', () => {
  test('a wrong PKCE verifier is refused at the token endpoint', async () => {
    const jar = new CookieJar();
    const src = await launchFor('dev-ttp', jar);
    const back = callback(
      await browse(authorize({ launch: src.searchParams.get('launch') ?? '' }), jar, REDIRECT),
    );
    const token = await exchangeCode(String(smart.token_endpoint), {
      code: back.searchParams.get('code') ?? '',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT,
      verifier: pkce().verifier,
    });
    expect(token.status).toBe(400);
    expect(token.body.error).toBe('invalid_grant');
    expect(token.body.access_token).toBeUndefined();
  });

  test.each<[string, Partial<AuthorizeRequest>]>([
    ['a wrong aud', { aud: 'http://127.0.0.1:1/other-fhir' }],
    ['no aud', { aud: undefined }],
    ['a missing code_challenge', { pkce: null }],
    ['an unknown launch id', { launch: 'not-a-launch' }],
  ])('%s is refused at the authorize endpoint with an OAuth error', async (_name, change) => {
    const jar = new CookieJar();
    const src = await launchFor('dev-ttp', jar);
    const landing = await browse(
      authorize({ launch: src.searchParams.get('launch') ?? '', ...change }),
      jar,
      REDIRECT,
    );
    const back = callback(landing);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('code')).toBeNull();
  });

  test('an unregistered redirect_uri gets an error page, never a redirect', async () => {
    const landing = await browse(
      authorize({ redirectUri: 'http://127.0.0.1:3999/evil' }),
      new CookieJar(),
      REDIRECT,
    );
    expect(landing.kind).toBe('page');
    if (landing.kind === 'page') expect(landing.status).toBe(400);
  });
});

describe('FHIR access with the tokens', () => {
  let token: string;
  beforeAll(async () => {
    token = String((await ehrLaunch('dev-cyp2c19')).body.access_token);
  });

  test("a patient-scoped token reads its patient's genomic Observations", async () => {
    const response = await fhirGet(
      'Observation?patient=dev-cyp2c19&code=http://loinc.org|84413-4,http://loinc.org|69548-6',
      token,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/fhir+json');
    const bundle = (await response.json()) as { type: string; entry: { resource: { id: string } }[] };
    expect(bundle.type).toBe('searchset');
    expect(bundle.entry.map((e) => e.resource.id)).toEqual(['dev-cyp2c19-cyp2c19-geno']);
    const patient = await fhirGet('Patient/dev-cyp2c19', token);
    expect(patient.status).toBe(200);
  });

  test("it cannot read another patient's data", async () => {
    expect((await fhirGet('Observation?patient=dev-fvl', token)).status).toBe(403);
    expect((await fhirGet('Patient/dev-fvl', token)).status).toBe(403);
    expect((await fhirGet('Observation/dev-fvl-f5-var', token)).status).toBe(403);
    // Without a patient parameter the search is confined to the token's patient.
    const all = (await (await fhirGet('Condition', token)).json()) as {
      entry: { resource: { subject: unknown } }[];
    };
    expect(all.entry.length).toBeGreaterThan(0);
    expect(
      all.entry.every((e) => JSON.stringify(e.resource.subject) === '{"reference":"Patient/dev-cyp2c19"}'),
    ).toBe(true);
  });

  test('the signed-in clinician and catalogue medications can be read', async () => {
    expect((await fhirGet('Practitioner/dev-clinician', token)).status).toBe(200);
    expect((await fhirGet('Medication/med-clopidogrel', token)).status).toBe(200);
  });

  test('no token, or a token not issued here, is 401', async () => {
    const none = await fhirGet('Observation?patient=dev-cyp2c19');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fhirGet('Patient/dev-cyp2c19', 'forged-token')).status).toBe(401);
  });

  test('the FHIR server is read-only', async () => {
    const response = await fetch(`${ehr.fhirBaseUrl}/Observation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: '{}',
    });
    expect(response.status).toBe(405);
  });
});
