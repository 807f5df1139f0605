// This replica's copies of the user rows that authentication reads, so that a
// request with a known token costs no database read. Bounded twice: by size
// (least recently used goes first) and by age (the TTL caps how long a copy can
// outlive a change notification that never arrived).

export interface UserCache<User extends { id: string }> {
  get(id: string): User | undefined;
  /** Taken before reading a row; `store` drops the row if anything was invalidated since. */
  generation(): number;
  store(generation: number, user: User): void;
  invalidate(id: string): void;
  clear(): void;
  size(): number;
}

export function createUserCache<User extends { id: string }>(options: {
  maxEntries: number;
  ttlMs: number;
  /** Monotonic: a wall-clock jump must not stretch or cut the TTL. */
  now?: () => number;
}): UserCache<User> {
  const now = options.now ?? (() => performance.now());
  // Map iteration follows insertion order; re-inserting on a hit keeps the
  // least recently used entry first.
  const entries = new Map<string, { user: User; expiresAt: number }>();
  // A read that started before an invalidation may return the row as it was
  // before the change; storing it would undo the invalidation until the TTL.
  let generation = 0;

  return {
    get(id) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      entries.delete(id);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(id, entry);
      return entry.user;
    },
    generation: () => generation,
    store(readAt, user) {
      if (readAt !== generation || options.ttlMs === 0) return;
      entries.delete(user.id);
      entries.set(user.id, { user, expiresAt: now() + options.ttlMs });
      if (entries.size > options.maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
    invalidate(id) {
      generation++;
      entries.delete(id);
    },
    clear() {
      generation++;
      entries.clear();
    },
    size: () => entries.size,
  };
}
