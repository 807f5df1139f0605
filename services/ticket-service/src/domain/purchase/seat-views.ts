// The seat views of this replica's busy events (seat-view.ts says what a view
// is and how stale it may be): loaded on first use, subscribed to the seat feed,
// reloaded in the background after a gap and before use when too old, the least
// recently used dropped beyond `capacity`.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { SeatFeedMessage } from '../../lib/seat-feed.ts';
import { type EventSeats, LiveView } from './seat-view.ts';

export interface SeatViewSettings {
  maxAgeMs: number;
  gapMs: number;
  /** Events kept in memory; the least recently used is dropped. */
  capacity: number;
}

export const defaultSeatViewSettings: SeatViewSettings = { maxAgeMs: 5_000, gapMs: 1_000, capacity: 64 };

type Subscribe = (eventId: string, listener: (m: SeatFeedMessage) => void) => () => void;

interface Entry {
  view: LiveView;
  loading?: Promise<void>;
}

export interface SeatViews {
  of(eventId: string): Promise<EventSeats>;
  /** The event's view if this replica has one loaded, without waiting. */
  current(eventId: string): EventSeats | undefined;
  /** A change this replica itself committed: applied at once, before its echo from the feed. */
  apply(message: SeatFeedMessage): void;
  close(): void;
}

export function createSeatViews(
  db: PrismaClient,
  subscribe: Subscribe,
  settings: SeatViewSettings = defaultSeatViewSettings,
): SeatViews {
  const entries = new Map<string, Entry>();
  const firstLoads = new Map<string, Promise<LiveView>>();

  async function load(eventId: string): Promise<LiveView> {
    const view = new LiveView(eventId);
    // Listen before reading, so that no change committed after the read is missed.
    view.unsubscribe = subscribe(eventId, (m) => view.apply(m));
    try {
      await view.fill(db);
    } catch (err) {
      view.unsubscribe();
      throw err;
    }
    return view;
  }

  function remember(eventId: string, entry: Entry) {
    entries.delete(eventId);
    entries.set(eventId, entry);
    if (entries.size > settings.capacity) {
      const [oldestId, oldest] = entries.entries().next().value as [string, Entry];
      entries.delete(oldestId);
      oldest.view.unsubscribe();
    }
  }

  function refresh(eventId: string, entry: Entry): Promise<void> {
    entry.loading = load(eventId)
      .then((fresh) => {
        // Dropped from memory meanwhile: the fresh view must not stay subscribed.
        if (entries.get(eventId) !== entry) {
          fresh.unsubscribe();
          return;
        }
        const old = entry.view;
        entry.view = fresh;
        old.unsubscribe();
      })
      .catch(() => {})
      .finally(() => {
        entry.loading = undefined;
      });
    return entry.loading;
  }

  return {
    async of(eventId) {
      const entry = entries.get(eventId);
      if (entry) {
        remember(eventId, entry);
        const staleness = entry.view.stale(settings);
        if (staleness && !entry.loading) refresh(eventId, entry);
        // Too old to answer from (a quiet spell): wait for the fresh copy. A gap
        // or a distrusted view is refreshed while the current one serves.
        if (staleness === 'age' && entry.loading) await entry.loading;
        return entry.view;
      }
      let pending = firstLoads.get(eventId);
      if (!pending) {
        pending = load(eventId).finally(() => firstLoads.delete(eventId));
        firstLoads.set(eventId, pending);
      }
      const view = await pending;
      if (!entries.has(eventId)) remember(eventId, { view });
      return (entries.get(eventId) as Entry).view;
    },
    current(eventId) {
      return entries.get(eventId)?.view;
    },
    apply(message) {
      entries.get(message.eventId)?.view.apply(message);
    },
    close() {
      for (const entry of entries.values()) entry.view.unsubscribe();
      entries.clear();
    },
  };
}
