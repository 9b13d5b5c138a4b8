import { loadCdsClients } from '../../adapters/auth/cds-clients';
import { createCdsAuthenticator } from '../../adapters/auth/cds-jwt';
import { DynamoReplayCache } from '../../adapters/dynamodb/replay-cache';
import type { Authenticate } from '../../http/cds-common';
import type { ServiceCommon } from './common';

/**
 * The CDS client JWT check of the service calls and feedback, when trusted clients are configured (JWT
 * replay claims live in the audit table); undefined in development mode.
 */
export async function composeCdsAuthentication(common: ServiceCommon): Promise<Authenticate | undefined> {
  const file = common.config.cdsClientsFile;
  if (!file) return undefined;
  return createCdsAuthenticator({
    clients: await loadCdsClients(file),
    replayCache: new DynamoReplayCache({ client: common.client, tableName: common.tables.audit }),
  });
}
