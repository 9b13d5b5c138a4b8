import type { CdsClientConfig } from '../../adapters/auth/cds-client-config';
import { createCdsAuthenticator } from '../../adapters/auth/cds-jwt';
import { DynamoReplayCache } from '../../adapters/dynamodb/replay-cache';
import type { Authenticate } from '../../http/cds-common';
import type { ServiceCommon } from './common';

/**
 * The CDS client JWT check of the service calls and feedback, when trusted clients are configured (JWT
 * replay claims live in the audit table); undefined in development mode. The clients come checked: the
 * local server reads its file with the full schema (loadCdsClients), a Lambda its synthesized, checksummed
 * file (loadDeployedCdsClients).
 */
export function composeCdsAuthentication(
  common: ServiceCommon,
  clients: CdsClientConfig[] | undefined,
): Authenticate | undefined {
  if (!clients) return undefined;
  return createCdsAuthenticator({
    clients,
    replayCache: new DynamoReplayCache({ client: common.client, tableName: common.tables.audit }),
  });
}
