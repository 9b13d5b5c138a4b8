/**
 * `npm start`: the CDS Hooks service on HOST:PORT (default 127.0.0.1:3000) with its embedded store under
 * TAILOR_DATA_DIR (default .data/). Needs no network.
 */
import { ConfigurationError, readServiceConfig } from '../adapters/config';
import { SERVICES } from '../core/cds/services';
import { startLocalServer } from './local-server';

const out = (text: string) => process.stdout.write(`${text}\n`);

try {
  const config = readServiceConfig(process.env);
  const server = await startLocalServer({ config });
  out('');
  out(`Tailor is running: ${server.url}`);
  out(`  CDS Hooks discovery  ${server.url}/cds-services`);
  for (const service of SERVICES)
    out(`  ${service.hook.padEnd(20)} POST ${server.url}/cds-services/${service.id}`);
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
  out('  Try: curl -s -X POST -H "Content-Type: application/json" \\');
  out(
    `         --data @examples/requests/cyp2c19-poor-metabolizer-clopidogrel.order-sign.json ${server.url}/cds-services/tailor-order-sign`,
  );
  const stop = async () => {
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
