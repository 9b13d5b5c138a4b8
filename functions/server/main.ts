/**
 * `npm start`: the CDS Hooks service and the SMART app on HOST:PORT (default 127.0.0.1:3000) with the embedded
 * store under TAILOR_DATA_DIR (default .data/), and the development EHR on TAILOR_EHR_PORT (default PORT + 1)
 * to launch the app from and to send real CDS Hooks requests. Needs no network. Set TAILOR_EHR=off to run the
 * service alone.
 */
import { ConfigurationError, readServiceConfig } from '../adapters/config';
import { SERVICES } from '../core/cds/services';
import { startDevEhr } from '../dev-ehr';
import { startLocalServer } from './local-server';

const out = (text: string) => process.stdout.write(`${text}\n`);
const SMART_CLIENT_ID = 'tailor-smart-app';

try {
  const env = { ...process.env };
  const withEhr = env.TAILOR_EHR !== 'off';
  const port = Number(env.PORT || 3000);
  const ehrPort = Number(env.TAILOR_EHR_PORT || (port === 0 ? 0 : port + 1));
  const host = env.HOST || '127.0.0.1';
  // The EHR's address is fixed first: the service must trust its id_tokens and its app must be framed by it.
  const ehrUrl = `http://127.0.0.1:${ehrPort}`;
  if (withEhr && ehrPort !== 0) env.TAILOR_SMART_ISSUERS ||= `${ehrUrl}/auth`;
  // Cards link to the app; a card's link is launched by the EHR with the card's appContext.
  if (port !== 0) env.TAILOR_SMART_LAUNCH_URL ||= `http://${host}:${port}/app/launch.html`;
  const config = readServiceConfig(env);
  const server = await startLocalServer({ config });
  const appUrl = `${server.url}/app`;
  const ehr = withEhr
    ? await startDevEhr({
        port: ehrPort,
        cdsServiceUrl: server.url,
        smartApp: {
          clientId: SMART_CLIENT_ID,
          launchUrl: `${appUrl}/launch.html`,
          redirectUris: [`${appUrl}/index.html`],
        },
      })
    : undefined;

  out('');
  out(ehr ? `Tailor is running. Open the development EHR: ${ehr.url}/` : `Tailor is running: ${server.url}`);
  out('');
  out(`  CDS Hooks discovery  ${server.url}/cds-services`);
  for (const service of SERVICES)
    out(`  ${service.hook.padEnd(20)} POST ${server.url}/cds-services/${service.id}`);
  out(`  SMART app            ${appUrl}/launch.html (client id ${SMART_CLIENT_ID})`);
  if (ehr)
    out(
      `  Development EHR      ${ehr.url}/ · FHIR ${ehr.fhirBaseUrl} · ${ehr.patients.length} fictional patients`,
    );
  out(`  Store (dynalite)     ${server.storeEndpoint} · data in ${config.dataDir}/`);
  out(`  Rules                ${server.bootstrap}`);
  if (!server.authenticating) {
    out('');
    out(
      '  DEVELOPMENT MODE: no trusted CDS clients are configured (TAILOR_CDS_CLIENTS), so no JWT is required.',
    );
    out('  The server listens on loopback only. Configure TAILOR_CDS_CLIENTS before any real use.');
  }
  out('');
  out('  Or send an example: curl -s -X POST -H "Content-Type: application/json" \\');
  out(
    `    --data @examples/requests/cyp2c19-poor-metabolizer-clopidogrel.order-sign.json ${server.url}/cds-services/tailor-order-sign`,
  );
  const stop = async () => {
    await ehr?.close();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  process.stderr.write(
    `tailor: ${error instanceof ConfigurationError || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
