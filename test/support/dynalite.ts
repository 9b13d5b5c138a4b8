import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../functions/adapters/dynamodb/embedded';

/** dynalite in memory on 127.0.0.1 and a free port, for one test file; close() in afterAll. */
export function startDynalite(): Promise<EmbeddedDynamo> {
  return startEmbeddedDynamo({ dataDir: null, host: '127.0.0.1', port: 0 });
}
