import {
  type RuleSetAct,
  type RuleSetFile,
  type RuleSetState,
  type RuleSetVersionMeta,
  type RuleStore,
  RuleStoreError,
} from '../../core/ports';
import { contentHash } from '../../core/ruleset/hash';

/** One version as the double keeps it; tests may edit `files` or drop `manifest` to play a tamperer or a crash. */
export interface MemoryRuleVersion {
  claim: { by: string; at: string };
  /** path → text, filled one file at a time while a publish runs. */
  files: Map<string, string>;
  /** Written last, as in DynamoDB: absent while publishing or after a publisher died. */
  manifest?: { fileCount: number; hash: string; publishedBy: string; publishedAt: string; note?: string };
  approvedBy?: string;
  approvedAt?: string;
  /** When the version first became active: activating it again is a rollback. */
  activatedAt?: string;
  /** As recorded at the last state change; 'active' is read from the pointer. */
  state?: RuleSetState;
}

/** The double's whole content. Two stores over one data object behave like two processes over one table. */
export interface MemoryRuleStoreData {
  versions: Map<string, MemoryRuleVersion>;
  pointer?: { version: string; since: string; seq: number };
  acts: { act: RuleSetAct; seq: number }[];
}

export function createMemoryRuleStoreData(): MemoryRuleStoreData {
  return { versions: new Map(), acts: [] };
}

/** Lets other callers run between the steps of a publish or an activation, as a real store's awaits do. */
const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * RuleStore in memory with the DynamoDB store's semantics: claim first (a racing publisher gets 'exists'),
 * files one by one, manifest last; load verifies the manifest, the file count and the content hash; four
 * eyes; activation only of an approved version, guarded by the pointer's sequence number. Same approval
 * rules too: re-approval by the approver is idempotent, by someone else 'conflict'.
 */
export class MemoryRuleStore implements RuleStore {
  constructor(readonly data: MemoryRuleStoreData = createMemoryRuleStoreData()) {}

  async publish(
    version: string,
    files: RuleSetFile[],
    by: string,
    at: string,
    note?: string,
  ): Promise<RuleSetVersionMeta> {
    if (version.length === 0 || version.length > 256 || /[\s#]/.test(version)) {
      throw new RangeError(`rule-set version ${JSON.stringify(version)}: 1-256 characters, no spaces or '#'`);
    }
    const hash = contentHash(files);
    const copies = files.map((file) => ({ path: file.path, text: file.text }));
    if (this.data.versions.has(version)) {
      throw new RuleStoreError('exists', `rule-set version ${version} exists (published or being published)`);
    }
    const entry: MemoryRuleVersion = { claim: { by, at }, files: new Map() };
    this.data.versions.set(version, entry);
    for (const file of copies) {
      await yieldTurn();
      entry.files.set(file.path, file.text);
    }
    await yieldTurn();
    entry.manifest = {
      fileCount: copies.length,
      hash,
      publishedBy: by,
      publishedAt: at,
      ...(note !== undefined ? { note } : {}),
    };
    entry.state = 'published';
    this.record({ act: 'publish', version, by, at, ...(note !== undefined ? { why: note } : {}) }, 0);
    return this.meta(version, entry);
  }

  async load(version: string): Promise<{ meta: RuleSetVersionMeta; files: RuleSetFile[] }> {
    await yieldTurn();
    return this.verified(version);
  }

  async list(): Promise<RuleSetVersionMeta[]> {
    await yieldTurn();
    const metas: RuleSetVersionMeta[] = [];
    for (const [version, entry] of this.data.versions) {
      if (entry.manifest) metas.push(this.meta(version, entry));
    }
    return metas.sort(
      (a, b) => compareText(a.publishedAt, b.publishedAt) || compareText(a.version, b.version),
    );
  }

  async approve(version: string, by: string, at: string, why?: string): Promise<RuleSetVersionMeta> {
    await yieldTurn();
    const { meta } = this.verified(version);
    if (meta.publishedBy === by) {
      throw new RuleStoreError(
        'four-eyes',
        `${version} was published by ${by}: someone else must approve it`,
      );
    }
    const entry = this.data.versions.get(version) as MemoryRuleVersion;
    if (entry.approvedBy !== undefined) {
      if (entry.approvedBy === by) return meta;
      throw new RuleStoreError('conflict', `${version} is already approved by ${entry.approvedBy}`);
    }
    entry.approvedBy = by;
    entry.approvedAt = at;
    entry.state = 'approved';
    this.record({ act: 'approve', version, by, at, ...(why !== undefined ? { why } : {}) }, 0);
    return this.meta(version, entry);
  }

  async activate(
    version: string,
    by: string,
    at: string,
    why: string,
    expectedActive?: string,
  ): Promise<RuleSetAct> {
    await yieldTurn();
    const { meta } = this.verified(version);
    const entry = this.data.versions.get(version) as MemoryRuleVersion;
    if (meta.approvedBy === undefined) {
      throw new RuleStoreError('not-approved', `${version} is not approved: it cannot be activated`);
    }
    const pointer = this.data.pointer;
    if (expectedActive !== undefined && pointer?.version !== expectedActive) {
      throw new RuleStoreError(
        'conflict',
        `expected ${expectedActive} to be active, but ${pointer?.version ?? 'no version'} is`,
      );
    }
    if (pointer?.version === version) throw new RuleStoreError('conflict', `${version} is already active`);
    await yieldTurn();
    // The conditional write: the pointer must still be the one read above.
    if (this.data.pointer?.seq !== pointer?.seq) {
      throw new RuleStoreError('conflict', `the active version changed while ${version} was being activated`);
    }
    const seq = (pointer?.seq ?? 0) + 1;
    this.data.pointer = { version, since: at, seq };
    const act: RuleSetAct = {
      act: entry.activatedAt !== undefined ? 'rollback' : 'activate',
      version,
      ...(pointer ? { previous: pointer.version } : {}),
      by,
      at,
      why,
    };
    entry.activatedAt ??= at;
    entry.state = 'active';
    const previous = pointer ? this.data.versions.get(pointer.version) : undefined;
    if (previous) previous.state = 'superseded';
    this.record(act, seq);
    return act;
  }

  async active(): Promise<{ version: string; since: string } | undefined> {
    await yieldTurn();
    const pointer = this.data.pointer;
    return pointer ? { version: pointer.version, since: pointer.since } : undefined;
  }

  async history(): Promise<RuleSetAct[]> {
    await yieldTurn();
    return this.data.acts
      .map((entry, index) => ({ ...entry, index }))
      .sort((a, b) => compareTimes(a.act.at, b.act.at) || a.seq - b.seq || a.index - b.index)
      .map((entry) => ({ ...entry.act }));
  }

  private verified(version: string): { meta: RuleSetVersionMeta; files: RuleSetFile[] } {
    const entry = this.data.versions.get(version);
    if (!entry) throw new RuleStoreError('not-found', `rule-set version ${version} does not exist`);
    const manifest = entry.manifest;
    if (!manifest) {
      throw new RuleStoreError(
        'incomplete',
        `rule-set version ${version} has no manifest: its publish did not finish`,
      );
    }
    const files = [...entry.files]
      .map(([path, text]) => ({ path, text }))
      .sort((a, b) => compareText(a.path, b.path));
    if (files.length > manifest.fileCount) {
      throw new RuleStoreError(
        'tampered',
        `rule-set version ${version} holds more files than its manifest lists`,
      );
    }
    if (files.length < manifest.fileCount) {
      throw new RuleStoreError(
        'incomplete',
        `rule-set version ${version} has ${files.length} of ${manifest.fileCount} files`,
      );
    }
    const actual = contentHash(files);
    if (actual !== manifest.hash) {
      throw new RuleStoreError(
        'tampered',
        `rule-set version ${version} fails verification: its content hash is ${actual}, the manifest says ${manifest.hash}`,
      );
    }
    return { meta: this.meta(version, entry), files };
  }

  private meta(version: string, entry: MemoryRuleVersion): RuleSetVersionMeta {
    const manifest = entry.manifest as NonNullable<MemoryRuleVersion['manifest']>;
    let state: RuleSetState;
    if (this.data.pointer?.version === version) state = 'active';
    else if (entry.state === 'active' || entry.state === 'superseded') state = 'superseded';
    else state = entry.approvedBy !== undefined ? 'approved' : 'published';
    return {
      version,
      hash: manifest.hash,
      fileCount: manifest.fileCount,
      publishedBy: manifest.publishedBy,
      publishedAt: manifest.publishedAt,
      state,
      ...(entry.approvedBy !== undefined ? { approvedBy: entry.approvedBy } : {}),
      ...(entry.approvedAt !== undefined ? { approvedAt: entry.approvedAt } : {}),
      ...(manifest.note !== undefined ? { note: manifest.note } : {}),
    };
  }

  private record(act: RuleSetAct, seq: number): void {
    this.data.acts.push({ act: { ...act }, seq });
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareTimes(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(ta) || Number.isNaN(tb) ? compareText(a, b) : ta - tb;
}
