/**
 * The in-memory replay cache is the auth adapter's own (bounded, sweeps expired claims); it is re-exported
 * here so every in-memory double is found in one place. Same contract as DynamoReplayCache.
 */
export { MemoryReplayCache, type MemoryReplayCacheOptions } from '../auth/replay-cache';
