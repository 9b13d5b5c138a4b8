import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type RuleSetAct,
  type RuleSetFile,
  type RuleSetState,
  type RuleSetVersionMeta,
  type RuleStore,
  RuleStoreError,
} from '../../core/ports';
import { contentHash } from '../../core/ruleset/hash';
import { type Item, n, num, PK, SK, s, str } from './attributes';
import { splitUtf8 } from './chunks';
import { isConditionFailed, ruleStoreUnavailable } from './errors';

/*
 * Layout of the rules table (generic pk/sk strings):
 *
 *   pk                 sk                       what
 *   RULESET#<version>  CLAIM                    first write of a publish; a racing publisher loses here
 *   RULESET#<version>  FILE#<path>#<part:5>     one chunk of a file (path, part, parts, text)
 *   RULESET#<version>  MANIFEST                 last write: fileCount, itemCount, hash, publishedBy/At, note
 *   RULESETS           VERSION#<version>        registry for list(): the meta and its mutable state
 *   ACTIVE             ACTIVE                   the pointer: version, since, by, why, previous, seq
 *   HISTORY            ACT#<at>#<seq:10>#<order>#<act>#<version>   one recorded act
 *
 * The version partition is written once and never updated; state lives in the registry item. "active" is
 * always derived from the pointer, so a crash between the pointer move and the registry updates cannot show
 * two active versions.
 */
const VERSION_PREFIX = 'RULESET#';
const CLAIM = 'CLAIM';
const MANIFEST = 'MANIFEST';
const FILE_PREFIX = 'FILE#';
const REGISTRY = 'RULESETS';
const REGISTRY_PREFIX = 'VERSION#';
const POINTER = 'ACTIVE';
const HISTORY = 'HISTORY';

const versionKey = (version: string, sk: string): Item => ({
  [PK]: s(`${VERSION_PREFIX}${version}`),
  [SK]: s(sk),
});
const registryKey = (version: string): Item => ({
  [PK]: s(REGISTRY),
  [SK]: s(`${REGISTRY_PREFIX}${version}`),
});
const pointerKey: Item = { [PK]: s(POINTER), [SK]: s(POINTER) };
/** The fixed-width part number at the end keeps the key unique whatever the path contains. */
export const fileSortKey = (path: string, part: number): string =>
  `${FILE_PREFIX}${path}#${String(part).padStart(5, '0')}`;

export interface DynamoRuleStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Conditional PutItems in flight while a publish writes its files. */
  writeConcurrency?: number;
}

interface Pointer {
  version: string;
  since: string;
  seq: number;
}

interface Verified {
  meta: RuleSetVersionMeta;
  files: RuleSetFile[];
  registry: Item | undefined;
  pointer: Pointer | undefined;
}

/**
 * RuleStore on DynamoDB (or dynalite / DynamoDB Local) without transactions. Publish: conditional claim,
 * conditional file items (PutItem, bounded concurrency, files over 350 KB split), manifest last. A version is
 * readable only when its manifest is there, its item count matches and its hash verifies. The ACTIVE pointer
 * moves with a condition on its previous value and sequence number.
 *
 * Approval: re-approval by the same approver is idempotent (returns the meta, records no second act); an
 * approval by someone else after the first is refused with 'conflict'.
 * A publish that failed after its claim leaves the version number used ('exists' on retry; 'incomplete' on
 * load): publish the content again under a new version.
 */
export class DynamoRuleStore implements RuleStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly writeConcurrency: number;

  constructor(options: DynamoRuleStoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.writeConcurrency = options.writeConcurrency ?? 8;
  }

  async publish(
    version: string,
    files: RuleSetFile[],
    by: string,
    at: string,
    note?: string,
  ): Promise<RuleSetVersionMeta> {
    checkVersion(version);
    const hash = contentHash(files);
    const long = files.find((file) => Buffer.byteLength(file.path, 'utf8') > 900);
    // A sort key holds at most 1024 bytes.
    if (long)
      throw new RangeError(`rule-set file path too long (over 900 bytes): ${long.path.slice(0, 80)}…`);
    const fileItems = files.flatMap((file) => {
      const chunks = splitUtf8(file.text);
      return chunks.map(
        (text, part): Item => ({
          ...versionKey(version, fileSortKey(file.path, part)),
          path: s(file.path),
          part: n(part),
          parts: n(chunks.length),
          text: s(text),
        }),
      );
    });
    const meta: RuleSetVersionMeta = {
      version,
      hash,
      fileCount: files.length,
      publishedBy: by,
      publishedAt: at,
      state: 'published',
      ...(note !== undefined ? { note } : {}),
    };

    if (!(await this.putIfAbsent('publish', { ...versionKey(version, CLAIM), by: s(by), at: s(at) }))) {
      throw new RuleStoreError('exists', `rule-set version ${version} exists (published or being published)`);
    }
    await forEachLimited(fileItems, this.writeConcurrency, async (item) => {
      if (!(await this.putIfAbsent('publish', item))) {
        throw new RuleStoreError('exists', `rule-set version ${version}: a file item was already there`);
      }
    });
    const manifest: Item = {
      ...versionKey(version, MANIFEST),
      ...metaAttributes(meta),
      itemCount: n(fileItems.length),
    };
    if (!(await this.putIfAbsent('publish', manifest))) {
      throw new RuleStoreError('exists', `rule-set version ${version}: its manifest was already there`);
    }
    // The version is complete now. The registry item may already exist only if an approval repaired it.
    await this.putIfAbsent('publish', {
      ...registryKey(version),
      ...metaAttributes(meta),
      state: s('published'),
    });
    await this.recordAct(
      { act: 'publish', version, by, at, ...(note !== undefined ? { why: note } : {}) },
      0,
    );
    return meta;
  }

  async load(version: string): Promise<{ meta: RuleSetVersionMeta; files: RuleSetFile[] }> {
    const { meta, files } = await this.verified(version);
    return { meta, files };
  }

  async list(): Promise<RuleSetVersionMeta[]> {
    const [items, pointer] = await Promise.all([this.queryAll('list', REGISTRY), this.readPointer('list')]);
    const metas: RuleSetVersionMeta[] = [];
    for (const item of items) {
      const meta = registryMeta(item, pointer);
      if (meta) metas.push(meta);
    }
    return metas.sort(
      (a, b) => compareText(a.publishedAt, b.publishedAt) || compareText(a.version, b.version),
    );
  }

  async approve(version: string, by: string, at: string, why?: string): Promise<RuleSetVersionMeta> {
    const { meta } = await this.verified(version);
    if (meta.publishedBy === by) {
      throw new RuleStoreError(
        'four-eyes',
        `${version} was published by ${by}: someone else must approve it`,
      );
    }
    if (meta.approvedBy !== undefined) return sameApprover(meta, by);
    const approved: RuleSetVersionMeta = { ...meta, state: 'approved', approvedBy: by, approvedAt: at };
    // SET also (re)writes the meta from the verified manifest: repairs a registry item a crash left out.
    const fields = metaAttributes(approved);
    const names = Object.keys(fields);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: registryKey(version),
          UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}, #state = :state`,
          ConditionExpression: 'attribute_not_exists(approvedBy)',
          ExpressionAttributeNames: {
            ...Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
            '#state': 'state',
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(names.map((name, i) => [`:f${i}`, fields[name] as Item[string]])),
            ':state': s('approved'),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw ruleStoreUnavailable('approve', error);
      // Someone approved between our read and write.
      return sameApprover((await this.verified(version)).meta, by);
    }
    await this.recordAct({ act: 'approve', version, by, at, ...(why !== undefined ? { why } : {}) }, 0);
    return approved;
  }

  async activate(
    version: string,
    by: string,
    at: string,
    why: string,
    expectedActive?: string,
  ): Promise<RuleSetAct> {
    const { meta, registry } = await this.verified(version);
    if (meta.approvedBy === undefined) {
      throw new RuleStoreError('not-approved', `${version} is not approved: it cannot be activated`);
    }
    const pointer = await this.readPointer('activate');
    if (expectedActive !== undefined && pointer?.version !== expectedActive) {
      throw new RuleStoreError(
        'conflict',
        `expected ${expectedActive} to be active, but ${pointer?.version ?? 'no version'} is`,
      );
    }
    if (pointer?.version === version) throw new RuleStoreError('conflict', `${version} is already active`);

    const act: RuleSetAct = {
      // Going back to a version that has been active before is a rollback.
      act: str(registry, 'activatedAt') !== undefined ? 'rollback' : 'activate',
      version,
      ...(pointer ? { previous: pointer.version } : {}),
      by,
      at,
      why,
    };
    const seq = (pointer?.seq ?? 0) + 1;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            ...pointerKey,
            version: s(version),
            since: s(at),
            by: s(by),
            why: s(why),
            seq: n(seq),
            ...(pointer ? { previous: s(pointer.version) } : {}),
          },
          ...(pointer
            ? {
                ConditionExpression: '#version = :previous AND #seq = :seq',
                ExpressionAttributeNames: { '#version': 'version', '#seq': 'seq' },
                ExpressionAttributeValues: { ':previous': s(pointer.version), ':seq': n(pointer.seq) },
              }
            : { ConditionExpression: `attribute_not_exists(${PK})` }),
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw ruleStoreUnavailable('activate', error);
      throw new RuleStoreError(
        'conflict',
        `the active version changed while ${version} was being activated`,
        {
          cause: error,
        },
      );
    }
    // The pointer is the truth from here on; the registry states below are what list() shows besides it.
    await Promise.all([
      this.setState(version, 'active', at),
      pointer ? this.setState(pointer.version, 'superseded', at) : Promise.resolve(),
    ]);
    await this.recordAct(act, seq);
    return act;
  }

  async active(): Promise<{ version: string; since: string } | undefined> {
    const pointer = await this.readPointer('active');
    return pointer ? { version: pointer.version, since: pointer.since } : undefined;
  }

  async history(): Promise<RuleSetAct[]> {
    const items = await this.queryAll('history', HISTORY);
    return items
      .map((item) => ({ item, act: parseAct(item) }))
      .filter((entry): entry is { item: Item; act: RuleSetAct } => entry.act !== undefined)
      .sort(
        (a, b) =>
          compareTimes(a.act.at, b.act.at) ||
          (num(a.item, 'seq') ?? 0) - (num(b.item, 'seq') ?? 0) ||
          ACT_ORDER[a.act.act] - ACT_ORDER[b.act.act] ||
          compareText(str(a.item, SK) ?? '', str(b.item, SK) ?? ''),
      )
      .map((entry) => entry.act);
  }

  /** Reads a version's partition and checks it against its manifest. */
  private async verified(version: string): Promise<Verified> {
    const [items, registry, pointer] = await Promise.all([
      this.queryAll('load', `${VERSION_PREFIX}${version}`),
      this.getItem('load', registryKey(version)),
      this.readPointer('load'),
    ]);
    if (items.length === 0)
      throw new RuleStoreError('not-found', `rule-set version ${version} does not exist`);
    const manifest = items.find((item) => str(item, SK) === MANIFEST);
    if (!manifest) {
      throw new RuleStoreError(
        'incomplete',
        `rule-set version ${version} has no manifest: its publish did not finish`,
      );
    }
    const fileCount = num(manifest, 'fileCount');
    const itemCount = num(manifest, 'itemCount');
    const hash = str(manifest, 'hash');
    const publishedBy = str(manifest, 'publishedBy');
    const publishedAt = str(manifest, 'publishedAt');
    if (
      str(manifest, 'version') !== version ||
      fileCount === undefined ||
      itemCount === undefined ||
      hash === undefined ||
      publishedBy === undefined ||
      publishedAt === undefined
    ) {
      throw tampered(version, 'its manifest is malformed');
    }

    const chunks = new Map<string, { parts: number; texts: (string | undefined)[] }>();
    let fileItems = 0;
    for (const item of items) {
      const sk = str(item, SK) ?? '';
      if (sk === MANIFEST || sk === CLAIM) continue;
      const path = str(item, 'path');
      const part = num(item, 'part');
      const parts = num(item, 'parts');
      const text = str(item, 'text');
      if (
        path === undefined ||
        part === undefined ||
        parts === undefined ||
        text === undefined ||
        !Number.isInteger(part) ||
        !Number.isInteger(parts) ||
        part < 0 ||
        part >= parts ||
        sk !== fileSortKey(path, part)
      ) {
        throw tampered(version, `an unexpected item ${JSON.stringify(sk)}`);
      }
      const file = chunks.get(path) ?? { parts, texts: [] };
      if (file.parts !== parts) throw tampered(version, `${path} has inconsistent chunk counts`);
      file.texts[part] = text;
      chunks.set(path, file);
      fileItems++;
    }
    if (fileItems > itemCount || chunks.size > fileCount) {
      throw tampered(version, `it holds more items than its manifest lists (${fileItems} > ${itemCount})`);
    }
    const files: RuleSetFile[] = [];
    for (const [path, file] of chunks) {
      const texts = Array.from({ length: file.parts }, (_, part) => file.texts[part]);
      if (texts.some((text) => text === undefined)) {
        throw new RuleStoreError('incomplete', `rule-set version ${version}: ${path} is missing chunks`);
      }
      files.push({ path, text: texts.join('') });
    }
    if (fileItems < itemCount || files.length < fileCount) {
      throw new RuleStoreError(
        'incomplete',
        `rule-set version ${version} has ${files.length} of ${fileCount} files (${fileItems} of ${itemCount} items)`,
      );
    }
    files.sort((a, b) => compareText(a.path, b.path));
    let actual: string;
    try {
      actual = contentHash(files);
    } catch (error) {
      throw tampered(version, `its files cannot be hashed (${String(error)})`);
    }
    if (actual !== hash) throw tampered(version, `its content hash is ${actual}, the manifest says ${hash}`);

    const note = str(manifest, 'note');
    const base: RuleSetVersionMeta = {
      version,
      hash,
      fileCount,
      publishedBy,
      publishedAt,
      state: 'published',
      ...(note !== undefined ? { note } : {}),
    };
    return { meta: withState(base, registry, pointer), files, registry, pointer };
  }

  private async setState(version: string, state: RuleSetState, at: string): Promise<void> {
    const activated = state === 'active';
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: registryKey(version),
          UpdateExpression: activated
            ? 'SET #state = :state, stateAt = :at, activatedAt = if_not_exists(activatedAt, :at)'
            : 'SET #state = :state, stateAt = :at',
          // Never create a registry stub for a version that has none.
          ConditionExpression: `attribute_exists(${PK})`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':state': s(state), ':at': s(at) },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw ruleStoreUnavailable('activate', error);
    }
  }

  private async recordAct(act: RuleSetAct, seq: number): Promise<void> {
    // Acts at the same instant keep their causal order: activation sequence, then publish < approve < switch.
    const sk = `ACT#${act.at}#${String(seq).padStart(10, '0')}#${ACT_ORDER[act.act]}#${act.act}#${act.version}`;
    await this.putIfAbsent(act.act, {
      [PK]: s(HISTORY),
      [SK]: s(sk),
      act: s(act.act),
      version: s(act.version),
      by: s(act.by),
      at: s(act.at),
      seq: n(seq),
      ...(act.previous !== undefined ? { previous: s(act.previous) } : {}),
      ...(act.why !== undefined ? { why: s(act.why) } : {}),
    });
  }

  private async readPointer(operation: string): Promise<Pointer | undefined> {
    const item = await this.getItem(operation, pointerKey);
    const version = str(item, 'version');
    const since = str(item, 'since');
    const seq = num(item, 'seq');
    return version !== undefined && since !== undefined && seq !== undefined
      ? { version, since, seq }
      : undefined;
  }

  /** false when the item was already there (the condition failed). */
  private async putIfAbsent(operation: string, item: Item): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: `attribute_not_exists(${PK})`,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw ruleStoreUnavailable(operation, error);
    }
  }

  private async getItem(operation: string, key: Item): Promise<Item | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
      );
      return Item;
    } catch (error) {
      throw ruleStoreUnavailable(operation, error);
    }
  }

  private async queryAll(operation: string, pk: string): Promise<Item[]> {
    const items: Item[] = [];
    try {
      const pages = paginateQuery(
        { client: this.client },
        {
          TableName: this.table,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':pk': s(pk) },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) items.push(...(page.Items ?? []));
    } catch (error) {
      throw ruleStoreUnavailable(operation, error);
    }
    return items;
  }
}

function checkVersion(version: string): void {
  if (version.length === 0 || version.length > 256 || /[\s#]/.test(version)) {
    throw new RangeError(`rule-set version ${JSON.stringify(version)}: 1-256 characters, no spaces or '#'`);
  }
}

function tampered(version: string, why: string): RuleStoreError {
  return new RuleStoreError('tampered', `rule-set version ${version} fails verification: ${why}`);
}

function sameApprover(meta: RuleSetVersionMeta, by: string): RuleSetVersionMeta {
  if (meta.approvedBy === by) return meta;
  throw new RuleStoreError('conflict', `${meta.version} is already approved by ${meta.approvedBy}`);
}

function metaAttributes(meta: RuleSetVersionMeta): Item {
  return {
    version: s(meta.version),
    hash: s(meta.hash),
    fileCount: n(meta.fileCount),
    publishedBy: s(meta.publishedBy),
    publishedAt: s(meta.publishedAt),
    ...(meta.note !== undefined ? { note: s(meta.note) } : {}),
    ...(meta.approvedBy !== undefined ? { approvedBy: s(meta.approvedBy) } : {}),
    ...(meta.approvedAt !== undefined ? { approvedAt: s(meta.approvedAt) } : {}),
  };
}

const STATES: readonly RuleSetState[] = ['published', 'approved', 'active', 'superseded'];

/** The state shown: active iff the pointer says so; a stored 'active' the pointer has left is superseded. */
function withState(
  meta: RuleSetVersionMeta,
  registry: Item | undefined,
  pointer: Pointer | undefined,
): RuleSetVersionMeta {
  const approvedBy = str(registry, 'approvedBy');
  const approvedAt = str(registry, 'approvedAt');
  const stored = STATES.find((state) => state === str(registry, 'state'));
  let state: RuleSetState;
  if (pointer?.version === meta.version) state = 'active';
  else if (stored === 'active' || stored === 'superseded') state = 'superseded';
  else state = approvedBy !== undefined ? 'approved' : 'published';
  return {
    ...meta,
    state,
    ...(approvedBy !== undefined ? { approvedBy } : {}),
    ...(approvedAt !== undefined ? { approvedAt } : {}),
  };
}

function registryMeta(item: Item, pointer: Pointer | undefined): RuleSetVersionMeta | undefined {
  const version = str(item, 'version');
  const hash = str(item, 'hash');
  const fileCount = num(item, 'fileCount');
  const publishedBy = str(item, 'publishedBy');
  const publishedAt = str(item, 'publishedAt');
  if (
    version === undefined ||
    hash === undefined ||
    fileCount === undefined ||
    publishedBy === undefined ||
    publishedAt === undefined
  ) {
    return undefined;
  }
  const note = str(item, 'note');
  return withState(
    {
      version,
      hash,
      fileCount,
      publishedBy,
      publishedAt,
      state: 'published',
      ...(note !== undefined ? { note } : {}),
    },
    item,
    pointer,
  );
}

const ACTS: readonly RuleSetAct['act'][] = ['publish', 'approve', 'activate', 'rollback'];
const ACT_ORDER: Record<RuleSetAct['act'], number> = { publish: 0, approve: 1, activate: 2, rollback: 2 };

function parseAct(item: Item): RuleSetAct | undefined {
  const act = ACTS.find((name) => name === str(item, 'act'));
  const version = str(item, 'version');
  const by = str(item, 'by');
  const at = str(item, 'at');
  if (act === undefined || version === undefined || by === undefined || at === undefined) return undefined;
  const previous = str(item, 'previous');
  const why = str(item, 'why');
  return {
    act,
    version,
    ...(previous !== undefined ? { previous } : {}),
    by,
    at,
    ...(why !== undefined ? { why } : {}),
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Times are ISO strings from the caller; compare them as instants, as text when unparsable. */
function compareTimes(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(ta) || Number.isNaN(tb) ? compareText(a, b) : ta - tb;
}

/** Runs `fn` over the items with at most `limit` in flight; the first failure stops new work and is thrown. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
