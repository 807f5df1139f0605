// The per-replica cache behind authentication, on its own: size bound, age bound,
// and no resurrection of a row read before an invalidation.
import { describe, expect, it } from 'vitest';
import { createUserCache } from '../src/lib/user-cache.ts';

const user = (id: string, tokenVersion = 0) => ({ id, tokenVersion });

function cacheAt(options: { maxEntries?: number; ttlMs?: number } = {}) {
  let clock = 0;
  const cache = createUserCache<ReturnType<typeof user>>({
    maxEntries: options.maxEntries ?? 10,
    ttlMs: options.ttlMs ?? 1_000,
    now: () => clock,
  });
  return { cache, advance: (ms: number) => (clock += ms) };
}

describe('user cache', () => {
  it('when it is full, then the least recently used entry goes first', () => {
    const { cache } = cacheAt({ maxEntries: 2 });
    cache.store(cache.generation(), user('a'));
    cache.store(cache.generation(), user('b'));
    expect(cache.get('a')).toEqual(user('a'));
    cache.store(cache.generation(), user('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(user('a'));
    expect(cache.get('c')).toEqual(user('c'));
    expect(cache.size()).toBe(2);
  });

  it('when an entry is older than the TTL, then it is not served', () => {
    const { cache, advance } = cacheAt({ ttlMs: 1_000 });
    cache.store(cache.generation(), user('a'));
    advance(999);
    expect(cache.get('a')).toEqual(user('a'));
    advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size()).toBe(0);
  });

  it('when a row was read before an invalidation, then storing it is a no-op', () => {
    const { cache } = cacheAt();
    const readAt = cache.generation();
    cache.invalidate('a');
    cache.store(readAt, user('a', 0));
    expect(cache.get('a')).toBeUndefined();
    cache.store(cache.generation(), user('a', 1));
    expect(cache.get('a')).toEqual(user('a', 1));
  });

  it('when invalidated or cleared, then the copies are gone', () => {
    const { cache } = cacheAt();
    cache.store(cache.generation(), user('a'));
    cache.store(cache.generation(), user('b'));
    cache.invalidate('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toEqual(user('b'));
    const readAt = cache.generation();
    cache.clear();
    cache.store(readAt, user('c'));
    expect(cache.size()).toBe(0);
  });

  it('when the TTL is 0, then nothing is kept', () => {
    const { cache } = cacheAt({ ttlMs: 0 });
    cache.store(cache.generation(), user('a'));
    expect(cache.get('a')).toBeUndefined();
  });
});
