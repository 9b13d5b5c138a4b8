import { resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAuditStore, DynamoFeedbackStore } from '../adapters/dynamodb/audit-store';
import { createDynamoClient, isLocalEndpoint } from '../adapters/dynamodb/client';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../adapters/dynamodb/embedded';
import { StoreUnavailableError } from '../adapters/dynamodb/errors';
import { DynamoRuleStore } from '../adapters/dynamodb/rule-store';
import { AUDIT_TABLE, ensureTables, RULES_TABLE, tableNames } from '../adapters/dynamodb/tables';
import { RuleStoreError } from '../core/ports';
import { CliError, type CliIo, EXIT } from './io';

/** Where the rule sets live: the local embedded store by default, or DynamoDB (any of these given). */
export interface StoreOptions {
  endpoint?: string;
  table?: string;
  region?: string;
}

export interface StoreConnection {
  rules: DynamoRuleStore;
  audit: DynamoAuditStore;
  feedback: DynamoFeedbackStore;
  /** For messages: which store this is. */
  where: string;
  close(): Promise<void>;
}

/**
 * A person at a terminal waits longer than an EHR: the service's 1.2 s request budget would make a large
 * publish or a scan of the audit trail fail on a slow link.
 */
const CLI_CLIENT_LIMITS = { maxAttempts: 3, connectionTimeoutMs: 3000, requestTimeoutMs: 15_000 } as const;

/** `--table tailor-prod`, `--table tailor-prod-rules` and `--table tailor-prod-audit` all mean prefix tailor-prod. */
export function tablePrefix(table: string): string {
  for (const suffix of [RULES_TABLE.suffix, AUDIT_TABLE.suffix]) {
    if (table.endsWith(`-${suffix}`)) return table.slice(0, -suffix.length - 1);
  }
  return table;
}

/** Opens the store the options name; every failure is a CliError with exit code 3 and what to do about it. */
export async function openStore(options: StoreOptions, io: CliIo): Promise<StoreConnection> {
  const prefix = tablePrefix(options.table ?? io.env.TAILOR_TABLE_PREFIX ?? 'tailor');
  const names = tableNames(prefix);
  const remote =
    options.endpoint !== undefined || options.table !== undefined || options.region !== undefined;
  let embedded: EmbeddedDynamo | undefined;
  let client: DynamoDBClient;
  let where: string;
  if (!remote) {
    const dir = resolve(io.cwd, io.env.TAILOR_DATA_DIR || '.data', 'dynalite');
    await refuseIfLocked(dir);
    embedded = await startEmbeddedDynamo({ dataDir: dir });
    client = createDynamoClient({ endpoint: embedded.endpoint, ...CLI_CLIENT_LIMITS });
    where = `the local store in ${dir}`;
  } else {
    if (options.endpoint !== undefined) checkEndpoint(options.endpoint);
    client = createDynamoClient({
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...CLI_CLIENT_LIMITS,
    });
    where = `${options.endpoint ?? `DynamoDB${options.region ? ` (${options.region})` : ''}`} tables ${names.rules} and ${names.audit}`;
  }
  const close = async () => {
    client.destroy();
    await embedded?.close();
  };
  try {
    // Local stores get their tables on first use; in AWS the deployment owns them and a missing table is an error.
    if (embedded || (options.endpoint !== undefined && isLocalEndpoint(options.endpoint))) {
      await ensureTables(client, names, { timeoutMs: 10_000 });
    }
  } catch (error) {
    await close();
    throw unreachable(where, error);
  }
  return {
    rules: new DynamoRuleStore({ client, tableName: names.rules }),
    audit: new DynamoAuditStore({ client, tableName: names.audit, retentionDays: null }),
    feedback: new DynamoFeedbackStore({ client, tableName: names.audit, retentionDays: null }),
    where,
    close,
  };
}

/** Runs `work` with an open store and always closes it. */
export async function withStore<T>(
  options: StoreOptions,
  io: CliIo,
  work: (store: StoreConnection) => Promise<T>,
): Promise<T> {
  const store = await openStore(options, io);
  try {
    return await work(store);
  } catch (error) {
    throw storeFailure(store.where, error);
  } finally {
    await store.close();
  }
}

function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CliError(
      EXIT.usage,
      'usage',
      `--endpoint must be a URL such as http://127.0.0.1:8000, got "${endpoint}"`,
    );
  }
  if (!/^https?:$/.test(url.protocol)) {
    throw new CliError(EXIT.usage, 'usage', `--endpoint must be an http(s) URL, got "${endpoint}"`);
  }
}

/** A store error → the CLI's refusal (exit 1) or "could not reach the store" (exit 3). */
export function storeFailure(where: string, error: unknown): unknown {
  if (error instanceof CliError) return error;
  if (error instanceof RuleStoreError) {
    if (error.code === 'unavailable') return unreachable(where, error);
    return new CliError(EXIT.refused, error.code, error.message, { cause: error });
  }
  if (error instanceof StoreUnavailableError) return unreachable(where, error);
  return error;
}

function unreachable(where: string, error: unknown): CliError {
  const detail = error instanceof Error ? error.message : String(error);
  return new CliError(
    EXIT.unavailable,
    'unavailable',
    `The rule store could not be used (${where}): ${detail}`,
    { cause: error },
  );
}

/**
 * LevelDB lets one process open a directory at a time. Dynalite only finds out when the first request
 * arrives, and then throws where no caller can catch it, so check the lock first and say what to do.
 */
async function refuseIfLocked(dir: string): Promise<void> {
  interface Probe {
    open(): Promise<void>;
    close(): Promise<void>;
  }
  let ClassicLevel: new (location: string) => Probe;
  try {
    // dynalite's own LevelDB binding (installed with it); a variable name keeps it an optional import.
    const name = 'classic-level';
    ({ ClassicLevel } = (await import(name)) as { ClassicLevel: new (location: string) => Probe });
  } catch {
    return;
  }
  const probe = new ClassicLevel(dir);
  try {
    await probe.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if ((error as { code?: string }).code === 'LEVEL_LOCKED' || cause?.code === 'LEVEL_LOCKED') {
      throw new CliError(
        EXIT.unavailable,
        'store-locked',
        [
          `The local store in ${dir} is in use by another process, most likely the running server (npm start).`,
          "Only one process at a time can open it. Either stop the server, or use the server's store:",
          'add --endpoint <url> with the URL npm start printed as "Store (dynalite)", e.g.',
          '  npx tailor rules list --endpoint http://127.0.0.1:43127',
        ].join('\n'),
        { cause: error },
      );
    }
    throw new CliError(
      EXIT.unavailable,
      'unavailable',
      `The local store in ${dir} cannot be opened: ${String(cause ?? error)}`,
      {
        cause: error,
      },
    );
  } finally {
    await probe.close().catch(() => {});
  }
}
