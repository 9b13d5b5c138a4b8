import { describe, expect, it } from 'vitest';
import { MemoryReplayCache, ReplayCacheFullError } from '../../../functions/adapters/auth/replay-cache';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const startSeconds = START / 1000;

function clockAt(ms: number): { now: () => number; advance: (seconds: number) => void } {
  let current = ms;
  return { now: () => current, advance: (seconds) => (current += seconds * 1000) };
}

describe('MemoryReplayCache', () => {
  it('answers true for the first claim of a key and false for a replay', async () => {
    const cache = new MemoryReplayCache({ now: clockAt(START).now });
    expect(await cache.claim('a', startSeconds + 60)).toBe(true);
    expect(await cache.claim('a', startSeconds + 60)).toBe(false);
    expect(await cache.claim('b', startSeconds + 60)).toBe(true);
  });

  it('forgets a key once its expiry has passed', async () => {
    const clock = clockAt(START);
    const cache = new MemoryReplayCache({ now: clock.now });
    expect(await cache.claim('a', startSeconds + 60)).toBe(true);
    clock.advance(59);
    expect(await cache.claim('a', startSeconds + 60)).toBe(false);
    clock.advance(1);
    expect(await cache.claim('a', startSeconds + 120)).toBe(true);
    clock.advance(30);
    expect(await cache.claim('a', startSeconds + 120)).toBe(false);
  });

  it('of concurrent claims of one key, exactly one wins', async () => {
    const cache = new MemoryReplayCache({ now: clockAt(START).now });
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.claim('k', startSeconds + 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('never holds more than maxEntries, refuses when full of live entries, and sweeps expired ones', async () => {
    const clock = clockAt(START);
    const cache = new MemoryReplayCache({ maxEntries: 3, now: clock.now });
    await cache.claim('a', startSeconds + 10);
    await cache.claim('b', startSeconds + 10);
    await cache.claim('c', startSeconds + 100);
    expect(cache.size).toBe(3);
    await expect(cache.claim('d', startSeconds + 100)).rejects.toBeInstanceOf(ReplayCacheFullError);
    // A replay is still recognised while full.
    expect(await cache.claim('c', startSeconds + 100)).toBe(false);
    expect(cache.size).toBe(3);

    clock.advance(10);
    expect(await cache.claim('d', startSeconds + 100)).toBe(true);
    expect(cache.size).toBe(2);
    expect(await cache.claim('e', startSeconds + 100)).toBe(true);
    expect(cache.size).toBe(3);
    expect(await cache.claim('c', startSeconds + 100)).toBe(false);
  });

  it('does not keep keys that are already expired when claimed', async () => {
    const cache = new MemoryReplayCache({ maxEntries: 1, now: clockAt(START).now });
    expect(await cache.claim('old', startSeconds - 1)).toBe(true);
    expect(cache.size).toBe(0);
    expect(await cache.claim('new', startSeconds + 60)).toBe(true);
  });

  it('rejects a size bound that is not a positive integer', () => {
    expect(() => new MemoryReplayCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new MemoryReplayCache({ maxEntries: 1.5 })).toThrow(RangeError);
  });
});
