import FHIR from 'fhirclient';
import { loadConfig, scopesFor } from './config';

/**
 * launch.html: EHR launch (?iss=&launch=) or standalone launch (?iss= only). Authorize, and nothing after it:
 * the page is about to leave for the EHR's authorization endpoint.
 */
const params = new URLSearchParams(location.search);
const status = document.getElementById('launch-status');

async function launch(): Promise<void> {
  const config = await loadConfig();
  if (!params.get('iss')) throw new Error('No FHIR server was given (the iss parameter).');
  await FHIR.oauth2.authorize({
    clientId: config.clientId,
    scope: scopesFor(params.has('launch')),
    redirectUri: 'index.html',
    pkceMode: 'required',
  });
}

launch().catch((error: unknown) => {
  if (status) {
    status.setAttribute('role', 'alert');
    status.textContent = `Tailor could not start: ${error instanceof Error ? error.message : String(error)} Open Tailor again from the EHR.`;
  }
});
