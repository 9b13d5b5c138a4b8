/**
 * Remembers which CDS Hooks JWTs (by issuer and `jti`) were already used, until they could no longer be
 * accepted anyway (their `exp` plus the clock skew).
 */
export interface ReplayCache {
  /**
   * Records `key` until `expiresAt` (epoch seconds, the unit of a DynamoDB TTL attribute). Resolves true when
   * the key was not recorded yet (first use), false when it was (a replay). Of concurrent claims of one key
   * exactly one resolves true. Rejects when the cache cannot answer; callers must then refuse the token.
   */
  claim(key: string, expiresAt: number): Promise<boolean>;
}

/** The in-memory cache is full of unexpired entries; refusing beats forgetting (which would allow a replay). */
export class ReplayCacheFullError extends Error {
  override name = 'ReplayCacheFullError';
}

export interface MemoryReplayCacheOptions {
  /** Most entries kept at once (default 100 000). */
  maxEntries?: number;
  /** Milliseconds since the epoch, like Date.now (the default). */
  now?: () => number;
}

/**
 * One process's replay cache: for the local server, tests and a single instance. Several instances (Lambda)
 * need a shared store (DynamoDB) behind the same interface, or a token could be replayed to another instance.
 */
export class MemoryReplayCache implements ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: MemoryReplayCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    this.#maxEntries = maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** Entries currently held, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    const nowSeconds = this.#now() / 1000;
    const held = this.#entries.get(key);
    if (held !== undefined && held > nowSeconds) return false;
    if (held === undefined && this.#entries.size >= this.#maxEntries) {
      this.#sweep(nowSeconds);
      if (this.#entries.size >= this.#maxEntries) {
        throw new ReplayCacheFullError(`replay cache holds ${this.#maxEntries} unexpired entries`);
      }
    }
    // Nothing to remember for a key that is already past its expiry: it cannot be accepted again anyway.
    if (expiresAt > nowSeconds) this.#entries.set(key, expiresAt);
    else this.#entries.delete(key);
    return true;
  }

  #sweep(nowSeconds: number): void {
    for (const [key, expiresAt] of this.#entries) {
      if (expiresAt <= nowSeconds) this.#entries.delete(key);
    }
  }
}
