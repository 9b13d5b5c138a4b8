import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import { exportJWK, generateKeyPair } from 'jose';
import { AUTH_PATH, type Clinician, createAuthServer, INTERACTION_PATH } from './auth-server';
import { catalogEntry, medicationCode } from './catalog';
import { createCdsClientKey, type OrderHook, publicJwks, sendOrderHook, signCdsJwt } from './cds-client';
import { createFhirApi } from './fhir-api';
import { loadBundledStore, patientName, type Resource } from './fhir-store';
import { type LaunchContext, LaunchStore } from './launch-contexts';
import { framePage, orderPage, patientListPage } from './pages';
import { SCENARIOS, scenarioFor } from './scenarios';

export interface DevEhrOptions {
  host?: '127.0.0.1';
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Tailor's base URL, e.g. http://127.0.0.1:3000 (its CDS Hooks discovery is `<cdsServiceUrl>/cds-services`). */
  cdsServiceUrl: string;
  /** The SMART app, registered as a public client (PKCE S256 required). */
  smartApp: { clientId: string; launchUrl: string; redirectUris: string[] };
}

export interface DevEhr {
  /** The EHR's base URL; the patient list is served here. */
  url: string;
  /** FHIR R4 base (the `iss` of launches and the `aud` the app must send). */
  fhirBaseUrl: string;
  /** The authorization server's OpenID issuer (ID tokens' `iss`): `<url>/auth`. */
  issuer: string;
  /** The public JWKS of the key that signs the EHR's CDS Hooks client JWTs. */
  jwksUrl: string;
  /** The `iss` of those JWTs (for TAILOR_CDS_CLIENTS). */
  cdsClientIssuer: string;
  /** The synthetic patients: ids, display names and scenarios. */
  patients: { id: string; name: string; scenario: string; orderMedication: string }[];
  /** `<url>/patients/<id>/launch`: creates a launch and shows the app in the EHR frame. */
  launchPageUrl(patientId: string, options?: { appContext?: string; needPatientBanner?: boolean }): string;
  /** `<url>/patients/<id>/order`: the order screen. */
  orderPageUrl(patientId: string): string;
  close(): Promise<void>;
}

/** The fictional clinician every sign-in is (auto-login; `fhirUser` = Practitioner/dev-clinician). */
export const CLINICIAN: Clinician = {
  id: 'dev-clinician',
  name: 'Eva Testdoctor',
  givenName: 'Eva',
  familyName: 'Testdoctor',
};

const SMART_STYLE = {
  color_background: '#f5f7f9',
  color_error: '#9b1c1c',
  color_highlight: '#0b4f71',
  color_modal_backdrop: '',
  color_success: '#1e6b3a',
  color_text: '#1b1f24',
  dim_border_radius: '4px',
  dim_font_size: '16px',
  dim_spacing_size: '16px',
  font_family_body: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  font_family_heading: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
};

/**
 * Starts the development EHR: a SMART authorization server (oidc-provider), a read-only FHIR R4 endpoint with
 * synthetic patients, a patient list that EHR-launches the app in a frame, and an order screen that sends
 * real CDS Hooks requests to Tailor. Listens on 127.0.0.1 only; prints nothing; keeps no timers.
 */
export async function startDevEhr(options: DevEhrOptions): Promise<DevEhr> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('the development EHR listens on 127.0.0.1 only');
  const [store, signing, cdsKey] = await Promise.all([
    loadBundledStore(),
    generateKeyPair('RS256', { extractable: true }),
    createCdsClientKey(),
  ]);

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else {
      res.statusCode = 503;
      res.end('starting');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  try {
    const { port } = server.address() as AddressInfo;
    const url = `http://${host}:${port}`;
    const fhirBaseUrl = `${url}/fhir`;
    const jwksUrl = `${url}/cds-client/jwks.json`;
    const cdsClientIssuer = url;
    const smartStyleUrl = `${url}/smart-style.json`;
    const launches = new LaunchStore();
    const auth = await createAuthServer({
      baseUrl: url,
      fhirBaseUrl,
      smartApp: options.smartApp,
      clinician: CLINICIAN,
      store,
      launches,
      smartStyleUrl,
      signingKey: {
        ...(await exportJWK(signing.privateKey)),
        kid: `dev-ehr-id-${randomUUID().slice(0, 8)}`,
        alg: 'RS256',
        use: 'sig',
      },
    });

    const patient = (c: Context): Resource | undefined => store.read('Patient', c.req.param('id') ?? '');
    const notFound = (c: Context) =>
      c.html('<!doctype html><title>Not found</title><p>No such patient.</p>', 404);

    const launchPage = async (c: Context) => {
      const found = patient(c);
      if (!found) return notFound(c);
      const form = c.req.method === 'POST' ? await c.req.parseBody() : c.req.query();
      const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
      const appContext = field('appContext');
      const intent = field('intent');
      const encounter = store.read('Encounter', `${found.id}-enc`);
      const context: LaunchContext = {
        patient: found.id,
        ...(encounter ? { encounter: encounter.id } : {}),
        // The frame shows the EHR's own banner; an app may be asked to show one anyway.
        needPatientBanner: field('needPatientBanner') === 'true',
        ...(appContext !== undefined && appContext !== '' ? { appContext } : {}),
        ...(intent ? { intent } : {}),
      };
      const launchUrl = httpUrl(field('launchUrl')) ?? options.smartApp.launchUrl;
      const appUrl = new URL(launchUrl);
      appUrl.searchParams.set('iss', fhirBaseUrl);
      appUrl.searchParams.set('launch', launches.create(context));
      return c.html(framePage(found, appUrl.href, appContext !== undefined));
    };

    const app = new Hono();
    app.get('/', (c) =>
      c.html(
        patientListPage(
          store
            .all('Patient')
            .map((p) => ({ patient: p, ...withScenario(p.id) }))
            .sort(byScenario),
          `${options.smartApp.launchUrl}${options.smartApp.launchUrl.includes('?') ? '&' : '?'}iss=${encodeURIComponent(fhirBaseUrl)}`,
        ),
      ),
    );
    app.get('/patients/:id/launch', launchPage);
    app.post('/patients/:id/launch', launchPage);
    app.get('/patients/:id/order', (c) => {
      const found = patient(c);
      if (!found) return notFound(c);
      return c.html(
        orderPage({ patient: found, selected: scenarioFor(found.id)?.orderMedication ?? 'paracetamol' }),
      );
    });
    app.post('/patients/:id/order', async (c) => {
      const found = patient(c);
      if (!found) return notFound(c);
      const form = await c.req.parseBody();
      const entry = catalogEntry(typeof form.medication === 'string' ? form.medication : '');
      const hook: OrderHook | undefined =
        form.hook === 'order-select' || form.hook === 'order-sign' ? form.hook : undefined;
      if (!entry || !hook)
        return c.html(
          '<!doctype html><title>Bad request</title><p>Choose a medication and Select or Sign.</p>',
          400,
        );
      const encounterId = store.read('Encounter', `${found.id}-enc`)?.id;
      const draftOrder: Resource = {
        resourceType: 'MedicationRequest',
        id: `draft-${randomUUID()}`,
        status: 'draft',
        intent: 'order',
        subject: { reference: `Patient/${found.id}` },
        ...(encounterId ? { encounter: { reference: `Encounter/${encounterId}` } } : {}),
        requester: { reference: `Practitioner/${CLINICIAN.id}` },
        authoredOn: new Date().toISOString(),
        medicationCodeableConcept: medicationCode(entry),
        dosageInstruction: [{ text: entry.dosage }],
      };
      const outcome = await sendOrderHook({
        hook,
        serviceBaseUrl: options.cdsServiceUrl,
        patientId: found.id,
        ...(encounterId ? { encounterId } : {}),
        userId: `Practitioner/${CLINICIAN.id}`,
        draftOrder,
        store,
        fhirBaseUrl,
        fhirAuthorization: await auth.mintServiceToken(found.id),
        sign: (audience) => signCdsJwt(cdsKey, cdsClientIssuer, audience),
      });
      return c.html(orderPage({ patient: found, selected: entry.key, hook, outcome }));
    });
    app.use('/smart-style.json', cors({ origin: '*' }));
    app.get('/smart-style.json', (c) => c.json(SMART_STYLE));
    app.use('/cds-client/*', cors({ origin: '*' }));
    app.get('/cds-client/jwks.json', (c) => c.json(publicJwks(cdsKey)));
    app.route('/fhir', createFhirApi({ store, fhirBaseUrl, auth }));
    app.notFound((c) => c.text('not found', 404));
    const listener = getRequestListener(app.fetch);

    handler = (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/fhir/.well-known/openid-configuration') {
        // The issuer's discovery document, also found from the FHIR base as SMART clients look for it there.
        req.url = `${AUTH_PATH}/.well-known/openid-configuration`;
        return void auth.handle(req, res).catch((error) => fail(res, error));
      }
      if (path === AUTH_PATH || path.startsWith(`${AUTH_PATH}/`) || path.startsWith(`${INTERACTION_PATH}/`))
        return void auth.handle(req, res).catch((error) => fail(res, error));
      return void listener(req, res);
    };

    return {
      url,
      fhirBaseUrl,
      issuer: auth.issuer,
      jwksUrl,
      cdsClientIssuer,
      patients: SCENARIOS.flatMap((s) => {
        const p = store.read('Patient', s.patientId);
        return p
          ? [{ id: p.id, name: patientName(p), scenario: s.scenario, orderMedication: s.orderMedication }]
          : [];
      }),
      launchPageUrl(patientId, launch = {}) {
        const query = new URLSearchParams();
        if (launch.appContext !== undefined) query.set('appContext', launch.appContext);
        if (launch.needPatientBanner) query.set('needPatientBanner', 'true');
        const q = query.toString();
        return `${url}/patients/${encodeURIComponent(patientId)}/launch${q ? `?${q}` : ''}`;
      },
      orderPageUrl: (patientId) => `${url}/patients/${encodeURIComponent(patientId)}/order`,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function withScenario(patientId: string) {
  const scenario = scenarioFor(patientId);
  return scenario ? { scenario } : {};
}

function byScenario(a: { patient: Resource }, b: { patient: Resource }): number {
  const rank = (id: string) => {
    const i = SCENARIOS.findIndex((s) => s.patientId === id);
    return i < 0 ? SCENARIOS.length : i;
  };
  return rank(a.patient.id) - rank(b.patient.id);
}

function httpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const parsed = URL.parse(value);
  return parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:') ? parsed.href : undefined;
}

function fail(res: ServerResponse, _error: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = 500;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end('internal error');
}
