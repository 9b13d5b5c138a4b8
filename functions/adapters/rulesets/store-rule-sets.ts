import { type PreparedRuleSet, prepareRuleSet } from '../../core/pipeline';
import {
  type Log,
  type RuleSetFile,
  type RuleSetProvider,
  type RuleStore,
  RuleStoreError,
} from '../../core/ports';
import { parseTrustedKnowledgeBase } from '../../core/ruleset/read-knowledge-base';

export interface StoreRuleSetsOptions {
  /** How often the ACTIVE pointer is re-read (default 30 s): an activation is picked up within this. */
  refreshMs?: number;
  /**
   * How long the last confirmed active version may be served while the store cannot be read (default 5
   * minutes). Past it, evaluation fails visibly rather than run rules that may have been rolled back.
   */
  maxStaleMs?: number;
  now?: () => number;
  log?: Log;
  /** Versions kept prepared in memory besides the active one. */
  cacheSize?: number;
}

/**
 * Files of a stored version → a prepared rule set. The store verified the files against the version's
 * manifest hash, and the version was validated and tested when published, so it is not validated again.
 */
export function prepareStoredRuleSet(version: string, files: RuleSetFile[]): PreparedRuleSet {
  const { kb, problems } = parseTrustedKnowledgeBase(files);
  if (problems.length > 0) {
    throw new RuleStoreError(
      'tampered',
      `rule set ${version} cannot be read (${problems.length} problems, first: ${problems[0]?.file}: ${problems[0]?.message})`,
    );
  }
  if (kb.version !== version) {
    throw new RuleStoreError('tampered', `rule set stored as ${version} names itself ${kb.version}`);
  }
  return prepareRuleSet(kb);
}

/**
 * The service's view of the rule store: the active version, prepared once and kept in memory; the pointer
 * re-read in the background at most every refreshMs, so requests never wait on the store once warm. A
 * version that fails to load (tampered, incomplete) is refused and the previous active version stays.
 */
export function createStoreRuleSets(store: RuleStore, options: StoreRuleSetsOptions = {}): RuleSetProvider {
  const refreshMs = options.refreshMs ?? 30_000;
  const maxStaleMs = options.maxStaleMs ?? 300_000;
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 4;
  const versions = new Map<string, Promise<PreparedRuleSet>>();
  let active: PreparedRuleSet | undefined;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | undefined;

  const load = (version: string): Promise<PreparedRuleSet> => {
    const cached = versions.get(version);
    if (cached) return cached;
    const loading = store.load(version).then(({ files }) => prepareStoredRuleSet(version, files));
    loading.catch(() => versions.delete(version));
    versions.set(version, loading);
    while (versions.size > cacheSize) versions.delete(versions.keys().next().value as string);
    return loading;
  };

  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      checkedAt = now();
      try {
        const pointer = await store.active();
        if (!pointer) throw new RuleStoreError('not-found', 'no rule set is active');
        if (pointer.version !== active?.kb.version) {
          try {
            active = await load(pointer.version);
            options.log?.info('rule set activated in service', { version: pointer.version });
          } catch (error) {
            // A bad version must not take the service down: keep the previous one, say so loudly.
            options.log?.error('active rule set refused on load', {
              version: pointer.version,
              error: error instanceof RuleStoreError ? error.code : 'error',
              keeping: active?.kb.version ?? 'none',
            });
            if (!active) throw error;
          }
        }
        confirmedAt = now();
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  return {
    async current() {
      if (!active) await refresh();
      else if (now() - checkedAt >= refreshMs) {
        refresh().catch((error: unknown) =>
          options.log?.warn('rule set refresh failed', {
            error: error instanceof RuleStoreError ? error.code : 'error',
          }),
        );
      }
      if (!active) throw new RuleStoreError('not-found', 'no rule set is active');
      if (now() - confirmedAt > maxStaleMs) {
        throw new RuleStoreError('unavailable', 'the active rule set could not be confirmed recently');
      }
      return active;
    },
    version: (version) => load(version),
  };
}
