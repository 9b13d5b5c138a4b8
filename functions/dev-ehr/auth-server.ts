import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type * as OidcProvider from 'oidc-provider';
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { type FhirStore, patientName } from './fhir-store';
import { html, page } from './html';
import { type LaunchContext, type LaunchStore, tokenResponseFields } from './launch-contexts';
import { memoryAdapterFactory } from './oidc-memory-adapter';
import { CONTEXT_SCOPES, SMART_RESOURCE_TYPES, supportedResourceScopes } from './smart-scopes';

/** Where the authorization server is mounted; its issuer is `<base>/auth`. */
export const AUTH_PATH = '/auth';
export const INTERACTION_PATH = '/interaction';
/** The confidential client the EHR issues CDS Hooks `fhirAuthorization` tokens to. */
export const CDS_SERVICE_CLIENT_ID = 'tailor-cds-service';
/** What Tailor's service may read with the token the EHR hands it (CDS Hooks `fhirAuthorization`). */
export const CDS_SERVICE_SCOPE = [
  'patient/Patient.rs',
  'patient/Observation.rs',
  'patient/DiagnosticReport.rs',
  'patient/Condition.rs',
  'patient/MedicationRequest.rs',
  'patient/Medication.rs',
].join(' ');
const SERVICE_TOKEN_SECONDS = 600;

export interface Clinician {
  /** The account id (`sub`) and the Practitioner id. */
  id: string;
  name: string;
  givenName: string;
  familyName: string;
}

export interface AuthServerOptions {
  baseUrl: string;
  fhirBaseUrl: string;
  smartApp: { clientId: string; redirectUris: string[] };
  clinician: Clinician;
  store: FhirStore;
  launches: LaunchStore;
  smartStyleUrl: string;
  /** The private RS256 key that signs ID tokens. */
  signingKey: JWK;
}

export interface TokenInfo {
  scopes: Set<string>;
  /** The patient a patient-level token is bound to. */
  patient?: string;
  accountId?: string;
  clientId: string;
}

export interface ServiceAuthorization {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  subject: string;
  patient: string;
}

export interface AuthServer {
  issuer: string;
  /** Serves `/auth/*` (the provider) and `/interaction/*` (auto-login, patient picker). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  smartConfiguration(): Record<string, unknown>;
  validateAccessToken(value: string): Promise<TokenInfo | undefined>;
  /** A token for Tailor's service, bound to one patient (CDS Hooks `fhirAuthorization`). */
  mintServiceToken(patientId: string): Promise<ServiceAuthorization>;
}

type OidcModule = typeof OidcProvider;
let loading: Promise<OidcModule> | undefined;

/**
 * oidc-provider warns on the console when imported on Node 20 (it prefers 22). Tailor's runtime is Node 20, and
 * the EHR prints nothing, so that one notice is dropped while the module loads; any other warning passes.
 */
function loadOidcProvider(): Promise<OidcModule> {
  loading ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return;
      warn(...args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return loading;
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

export async function createAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const { Provider, errors } = await loadOidcProvider();
  const issuer = `${options.baseUrl}${AUTH_PATH}`;
  const { clinician, launches, store } = options;
  /** Launch context per grant: the token response and the access token read it. */
  const grantContexts = new Map<string, LaunchContext>();
  /** The patient of each service token being minted (stored as the token's `extra` when it is saved). */
  const servicePatients = new WeakMap<object, string>();
  const smartApp: ClientMetadata = {
    client_id: options.smartApp.clientId,
    token_endpoint_auth_method: 'none',
    application_type: 'web',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: options.smartApp.redirectUris,
  };
  const serviceClient: ClientMetadata = {
    client_id: CDS_SERVICE_CLIENT_ID,
    client_secret: randomBytes(32).toString('base64url'),
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  };

  const configuration: Configuration = {
    adapter: memoryAdapterFactory(),
    clients: [smartApp, serviceClient],
    jwks: { keys: [options.signingKey as OidcProvider.JWK] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: {
      authorization: '/authorize',
      token: '/token',
      jwks: '/jwks',
      userinfo: '/userinfo',
      revocation: '/revoke',
    },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', ...CONTEXT_SCOPES, ...supportedResourceScopes()],
    claims: {
      openid: ['sub'],
      fhirUser: ['fhirUser'],
      profile: ['name', 'given_name', 'family_name'],
    },
    // SMART puts fhirUser in the ID token; OIDC Core would send scope claims to userinfo only.
    conformIdTokenClaims: false,
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: SERVICE_TOKEN_SECONDS,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    extraParams: {
      // SMART: the app names the FHIR server it wants a token for; anything else is refused.
      aud(_ctx, value) {
        if (value === undefined || value === '')
          throw new errors.InvalidRequest('aud is required: the FHIR base URL the token is for');
        if (!sameUrl(value, options.fhirBaseUrl))
          throw new errors.InvalidRequest(`aud must be this EHR's FHIR base URL (${options.fhirBaseUrl})`);
      },
      launch(_ctx, value) {
        if (value !== undefined && !launches.get(value))
          throw new errors.InvalidRequest(
            'launch is unknown or has expired: launch the app from the EHR again',
          );
      },
    },
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    // Every authorization gets its own grant (and so its own launch context): no grant is reused silently.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return typeof grantId === 'string' ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    async findAccount(_ctx, sub) {
      if (sub !== clinician.id) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            fhirUser: `Practitioner/${clinician.id}`,
            name: clinician.name,
            given_name: clinician.givenName,
            family_name: clinician.familyName,
          };
        },
      };
    },
    async extraTokenClaims(_ctx, token) {
      const servicePatient = servicePatients.get(token);
      if (servicePatient) return { patient: servicePatient };
      const grantId = 'grantId' in token ? token.grantId : undefined;
      const context = grantId ? grantContexts.get(grantId) : undefined;
      return context?.patient ? { patient: context.patient } : undefined;
    },
    clientBasedCORS(_ctx, origin, client) {
      return client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false;
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in error',
        html`<h1>Sign-in error</h1>
          <p role="alert">${String(out.error ?? 'error')}: ${String(out.error_description ?? '')}</p>
          <p><a href="/">Back to the patient list</a></p>`,
      );
    },
  };

  const provider = new Provider(issuer, configuration);
  // SMART launch context beside the access token (patient, encounter, need_patient_banner, appContext ...).
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (oidc?.route !== 'token' || ctx.status !== 200 || !ctx.body || typeof ctx.body !== 'object') return;
    const grant = oidc.entities.Grant;
    const context = grant ? grantContexts.get(grant.jti) : undefined;
    if (context) Object.assign(ctx.body, tokenResponseFields(context, options.smartStyleUrl));
  });
  const callback = provider.callback();

  async function finish(req: IncomingMessage, res: ServerResponse, context: LaunchContext): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const params = details.params as Record<string, unknown>;
    const grant = new provider.Grant({ accountId: clinician.id, clientId: String(params.client_id) });
    if (typeof params.scope === 'string' && params.scope !== '') grant.addOIDCScope(params.scope);
    const grantId = await grant.save();
    grantContexts.set(grantId, context);
    await provider.interactionFinished(
      req,
      res,
      {
        ...(details.prompt.name === 'login' ? { login: { accountId: clinician.id } } : {}),
        consent: { grantId },
      },
      { mergeWithLastSubmission: false },
    );
  }

  /** The fixed clinician signs in without a password and consents to what the app asked; headless-friendly. */
  async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let details: Awaited<ReturnType<typeof provider.interactionDetails>>;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return sendHtml(
        res,
        400,
        page(
          'Sign-in expired',
          html`<h1>Sign-in expired</h1><p role="alert">This sign-in is no longer valid. Launch the app again.</p>`,
        ),
      );
    }
    const params = details.params as Record<string, unknown>;
    const scopes = new Set(typeof params.scope === 'string' ? params.scope.split(' ') : []);
    if (typeof params.launch === 'string') {
      const context = launches.get(params.launch);
      if (!context) {
        return provider.interactionFinished(req, res, {
          error: 'invalid_request',
          error_description: 'launch has expired',
        });
      }
      return finish(req, res, context);
    }
    if (!scopes.has('launch/patient')) return finish(req, res, { needPatientBanner: true });
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      if (form.get('cancel') !== null) {
        return provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: 'the user cancelled the patient selection',
        });
      }
      const patient = form.get('patient') ?? '';
      if (store.read('Patient', patient)) return finish(req, res, { patient, needPatientBanner: true });
    }
    return sendHtml(res, 200, pickerPage(details.uid, store));
  }

  return {
    issuer,
    async handle(req, res) {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path.startsWith(`${INTERACTION_PATH}/`)) return interaction(req, res);
      // Mounted like Express does it: the provider sees its own paths, originalUrl keeps the full one.
      const url = req.url ?? '/';
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = url.slice(AUTH_PATH.length) || '/';
      await callback(req, res);
    },
    smartConfiguration() {
      return {
        issuer,
        jwks_uri: provider.urlFor('jwks'),
        authorization_endpoint: provider.urlFor('authorization'),
        token_endpoint: provider.urlFor('token'),
        userinfo_endpoint: provider.urlFor('userinfo'),
        revocation_endpoint: provider.urlFor('revocation'),
        grant_types_supported: ['authorization_code', 'client_credentials'],
        response_types_supported: ['code'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
        scopes_supported: [
          'openid',
          'fhirUser',
          'profile',
          ...CONTEXT_SCOPES,
          'patient/*.rs',
          'user/*.rs',
          ...SMART_RESOURCE_TYPES.flatMap((t) => [`patient/${t}.rs`, `user/${t}.rs`]),
          'patient/*.read',
          'user/*.read',
        ],
        code_challenge_methods_supported: ['S256'],
        capabilities: [
          'launch-ehr',
          'launch-standalone',
          'client-public',
          'client-confidential-symmetric',
          'context-ehr-patient',
          'context-ehr-encounter',
          'context-standalone-patient',
          'context-banner',
          'context-style',
          'permission-patient',
          'permission-user',
          'permission-v1',
          'permission-v2',
          'sso-openid-connect',
        ],
      };
    },
    async validateAccessToken(value) {
      const token =
        (await provider.AccessToken.find(value)) ?? (await provider.ClientCredentials.find(value));
      if (!token || token.isExpired) return undefined;
      const patient = token.extra?.patient;
      return {
        scopes: new Set((token.scope ?? '').split(' ').filter((s) => s !== '')),
        ...(typeof patient === 'string' ? { patient } : {}),
        ...('accountId' in token && typeof token.accountId === 'string'
          ? { accountId: token.accountId }
          : {}),
        clientId: token.clientId ?? '',
      };
    },
    async mintServiceToken(patientId) {
      const client = await provider.Client.find(CDS_SERVICE_CLIENT_ID);
      if (!client) throw new Error('the CDS service client is not registered');
      const token = new provider.ClientCredentials({ client, scope: CDS_SERVICE_SCOPE });
      servicePatients.set(token, patientId);
      const value = await token.save();
      return {
        access_token: value,
        token_type: 'Bearer',
        expires_in: SERVICE_TOKEN_SECONDS,
        scope: CDS_SERVICE_SCOPE,
        subject: CDS_SERVICE_CLIENT_ID,
        patient: patientId,
      };
    },
  };
}

function pickerPage(uid: string, store: FhirStore): string {
  const patients = store.all('Patient');
  return page(
    'Choose a patient',
    html`<h1>Choose a patient</h1>
      <p>The app asked for a patient (standalone launch). Pick one to open it with.</p>
      <form method="post" action="${INTERACTION_PATH}/${uid}">
        <ul class="picker">
          ${patients.map(
            (p) =>
              html`<li><button type="submit" name="patient" value="${p.id}">Select ${patientName(p)}</button> <span class="meta">${String(p.birthDate ?? '')} · ${p.id}</span></li>`,
          )}
        </ul>
        <button type="submit" name="cancel" value="1" class="secondary">Cancel</button>
      </form>`,
  );
}

function sendHtml(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(body);
}

const MAX_FORM_BYTES = 64 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
