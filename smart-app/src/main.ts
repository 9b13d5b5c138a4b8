import FHIR from 'fhirclient';
import { errorPanel, MESSAGES, runApp } from './app';
import { loadConfig } from './config';
import { h } from './dom';
import { fhirClientGateway } from './fhir-gateway';
import { httpTailorService } from './tailor-service';
import { parseAppContext } from './view-model';

/**
 * index.html, the redirect target: complete the authorization (FHIR.oauth2.ready), then render. The tokens stay
 * in session storage (fhirclient's default), nothing in local storage or cookies.
 */
const root = document.getElementById('app') as HTMLElement;
const mark = (name: string) => performance.mark(name);

async function start(): Promise<void> {
  const [client, config] = await Promise.all([FHIR.oauth2.ready(), loadConfig()]);
  mark('tailor:token');
  const token = client.state.tokenResponse ?? {};
  const idToken = typeof token.id_token === 'string' ? token.id_token : undefined;
  if (!idToken) throw new Error('The EHR issued no id_token (the openid scope was not granted).');
  const cardContext = parseAppContext((token as Record<string, unknown>).appContext);
  await runApp(root, {
    gateway: fhirClientGateway(client),
    service: httpTailorService(config.apiBase, idToken),
    session: {
      needPatientBanner: token.need_patient_banner !== false,
      ...(cardContext ? { cardContext } : {}),
    },
    mark,
  });
  performance.measure('tailor:first-render', 'tailor:token', 'tailor:rendered');
}

start().catch((error: unknown) => {
  // ready() fails when there is no launch state (a reload in a new tab, an old link): a new launch is needed.
  const message = error instanceof Error ? error.message : String(error);
  root.replaceChildren(
    h('header', { class: 'app-header' }, h('h1', {}, 'Tailor: genomic medication guidance')),
    h('main', { id: 'main' }, errorPanel({ ...MESSAGES.launchFailed, detail: message })),
  );
});
