import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface EmbeddedDynamoOptions {
  /** LevelDB directory, created if missing; default `.data/dynalite` (relative to the working directory); null keeps everything in memory. */
  dataDir?: string | null;
  /** Loopback only: the embedded store has no authentication. */
  host?: '127.0.0.1';
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface EmbeddedDynamo {
  /** e.g. http://127.0.0.1:43127, for createDynamoClient({ endpoint }). */
  endpoint: string;
  close(): Promise<void>;
}

export const DEFAULT_EMBEDDED_DATA_DIR = '.data/dynalite';

/**
 * Starts dynalite (DynamoDB's API on LevelDB, in this process) for `npm start` and tests. Tables become
 * ACTIVE at once. One process at a time can open a data directory (LevelDB's lock).
 */
export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const dataDir = options.dataDir === undefined ? DEFAULT_EMBEDDED_DATA_DIR : options.dataDir;
  if (dataDir !== null) await mkdir(dataDir, { recursive: true });
  const server = dynalite({
    ...(dataDir !== null ? { path: dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // Idle keep-alive connections are closed now; a request in flight finishes first. Cutting it off would
        // let dynalite close its database between the steps of a write, which it reports by throwing
        // "Database is closed" outside any callback (an uncaught error).
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
