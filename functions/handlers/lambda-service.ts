/**
 * What every Tailor Lambda does once per cold start, before composing its own concern: resolve the audit
 * secret, read configuration, check what the concern cannot run without, and build the common part (DynamoDB
 * client, log, metrics, audit trail). Each handler then composes only its concern, so its bundle carries only
 * that concern's code.
 */
import type { CdsClientConfig } from '../adapters/auth/cds-client-config';
import { CDS_CLIENTS_SHA256_ENV, loadDeployedCdsClients } from '../adapters/auth/deployed-cds-clients';
import { ConfigurationError, readServiceConfig, type ServiceConfig } from '../adapters/config';
import { createDynamoClient } from '../adapters/dynamodb/client';
import { resolveSecretEnv } from '../adapters/secrets';
import { composeCommon, type ServiceCommon } from '../server/concerns/common';

type Env = Record<string, string | undefined>;

/**
 * How the concern authenticates its callers, which must be configured: the CDS concerns need trusted CDS
 * clients (there is no development mode behind API Gateway); the SMART app's API needs its SMART issuers
 * (it checks the EHR's id_token, never a CDS client JWT).
 */
export type LambdaCallers = 'cds-clients' | 'smart-issuers';

export async function createLambdaCommon(env: Env, callers: LambdaCallers): Promise<ServiceCommon> {
  const config = readServiceConfig(await resolveSecretEnv(env));
  if (!config.auditSecret) {
    throw new ConfigurationError('TAILOR_AUDIT_SECRET_ARN (or TAILOR_AUDIT_SECRET) is required');
  }
  switch (callers) {
    case 'cds-clients':
      if (!config.cdsClientsFile)
        throw new ConfigurationError(
          'TAILOR_CDS_CLIENTS is required in AWS: the service does not run unauthenticated',
        );
      break;
    case 'smart-issuers':
      if (config.smartIssuers.length === 0)
        throw new ConfigurationError(
          'TAILOR_SMART_ISSUERS is required: the app API never answers an unauthenticated call',
        );
      break;
  }
  const client = createDynamoClient(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {});
  return composeCommon({ config, client, auditSecret: config.auditSecret });
}

/**
 * The trusted CDS clients of a deployed CDS function: the file CDK wrote and checked at synthesis, verified
 * against the checksum it was given with (TAILOR_CDS_CLIENTS_SHA256).
 */
export function loadLambdaCdsClients(config: ServiceConfig): Promise<CdsClientConfig[]> {
  if (!config.cdsClientsFile || !config.cdsClientsSha256) {
    throw new ConfigurationError(
      `TAILOR_CDS_CLIENTS and ${CDS_CLIENTS_SHA256_ENV} (the checksum of the file checked at synthesis) are required in AWS`,
    );
  }
  return loadDeployedCdsClients(config.cdsClientsFile, config.cdsClientsSha256);
}
