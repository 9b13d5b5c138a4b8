import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../../functions/adapters/dynamodb/client';
import { startEmbeddedDynamo } from '../../../functions/adapters/dynamodb/embedded';
import { DynamoRuleStore } from '../../../functions/adapters/dynamodb/rule-store';
import { ensureTables, tableNames } from '../../../functions/adapters/dynamodb/tables';
import { ruleSetFiles } from '../rule-store.contract';

const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function withStore<T>(dataDir: string, use: (store: DynamoRuleStore, endpoint: string) => Promise<T>) {
  const embedded = await startEmbeddedDynamo({ dataDir });
  const client = createDynamoClient({ endpoint: embedded.endpoint });
  try {
    const names = tableNames('tailor');
    await ensureTables(client, names);
    return await use(new DynamoRuleStore({ client, tableName: names.rules }), embedded.endpoint);
  } finally {
    client.destroy();
    await embedded.close();
    await embedded.close();
  }
}

describe('startEmbeddedDynamo', () => {
  it('listens on 127.0.0.1 and keeps the data on disk across restarts', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'tailor-embedded-')), 'nested', 'dynalite');
    dirs.push(dataDir);
    const files = ruleSetFiles('persisted');

    const endpoint = await withStore(dataDir, async (store, endpoint) => {
      await store.publish('1.0.0', files, 'alice', '2025-03-01T10:00:00.000Z');
      await store.approve('1.0.0', 'bob', '2025-03-01T10:01:00.000Z');
      await store.activate('1.0.0', 'bob', '2025-03-01T10:02:00.000Z', 'go live');
      return endpoint;
    });
    const reopened = await withStore(dataDir, async (store) => ({
      active: await store.active(),
      files: (await store.load('1.0.0')).files,
    }));

    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(reopened.active).toEqual({ version: '1.0.0', since: '2025-03-01T10:02:00.000Z' });
    expect(reopened.files).toHaveLength(files.length);
  });

  it('keeps nothing when in memory', async () => {
    const first = await startEmbeddedDynamo({ dataDir: null });
    const second = await startEmbeddedDynamo({ dataDir: null });

    expect(first.endpoint).not.toBe(second.endpoint);
    await Promise.all([first.close(), second.close()]);
  });
});
