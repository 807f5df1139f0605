// The live seat map of one event: GET /events/:id/seats plus the SSE stream.
//
// The stream is opened first and the map is loaded once it says `ready` (with the
// version it starts from), so no change falls between the two; messages that arrive
// while the map loads are kept and applied after it. Each time the stream
// reconnects, changes may have been missed, so the map is loaded again. A gap in
// the versions that does not fill within a few seconds also triggers a reload.
//
// The gateway serves seat maps from a short cache (README, "Seat maps at the
// gateway"), so a map can be older than the stream's starting point: the changes
// between the two were never streamed. Such a map is shown at once and loaded again
// shortly, until it is at least as new as that point. Recent messages are kept and
// applied to every map loaded, so a map older than some of them loses nothing.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getSeats, streamUrl } from '../api/endpoints.ts';
import type { SeatChanges } from '../api/types.ts';
import { SeatBook } from './seat-book.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveSeats {
  book: SeatBook | null;
  /** Grows with every change applied, so that views re-render. */
  revision: number;
  live: LiveState;
  loadError: unknown;
  /** Ids changed by the last message, for "was just taken" notices. */
  lastChanged: string[];
}

// A gap waits a little for its message (they can arrive out of order), then the
// map is reloaded at a random moment within a few seconds, and not more often
// than every half minute, so that many viewers of one event do not all reload at once.
const GAP_GRACE_MS = 3000;
const GAP_JITTER_MS = 7000;
const MIN_RELOAD_INTERVAL_MS = 30_000;
const MAX_RETRY_MS = 30_000;
const STREAM_WAIT_MS = 4000;
const STALE_MAP_RETRY_MS = 1500;
const STALE_MAP_JITTER_MS = 1000;
const RECENT_MESSAGES = 2000;

export function useLiveSeats(eventId: string): LiveSeats {
  const [state, setState] = useState<LiveSeats>({
    book: null,
    revision: 0,
    live: 'connecting',
    loadError: null,
    lastChanged: [],
  });
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    let book: SeatBook | null = null;
    // The last messages received, oldest first; each new map applies them (the book
    // ignores what the map already holds).
    const recent: SeatChanges[] = [];
    // The version the stream started from when it last said `ready`.
    let streamFrom = 0;
    let loading: Promise<void> | null = null;
    let loadSeq = 0;
    let readyCount = 0;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let gapTimer: ReturnType<typeof setTimeout> | undefined;
    let staleTimer: ReturnType<typeof setTimeout> | undefined;
    let retryMs = 2000;
    let lastReload = 0;
    let revision = 0;
    const controller = new AbortController();

    const publish = (patch: Partial<LiveSeats>) => {
      if (!alive.current) return;
      setState((s) => ({ ...s, ...patch }));
    };

    const load = (): Promise<void> => {
      const seq = ++loadSeq;
      lastReload = Date.now();
      const run = getSeats(eventId, controller.signal).then(
        (map) => {
          if (seq !== loadSeq || controller.signal.aborted) return;
          book = new SeatBook(map);
          for (const message of recent) book.apply(message);
          publish({ book, revision: ++revision, loadError: null, lastChanged: [] });
          reloadIfOlderThanStream();
        },
        (err: unknown) => {
          if (seq !== loadSeq || controller.signal.aborted) return;
          publish({ loadError: err });
        },
      );
      loading = run.finally(() => {
        if (seq === loadSeq) loading = null;
      });
      return loading;
    };

    const reloadIfOlderThanStream = () => {
      if (staleTimer || !book || book.loadedVersion >= streamFrom) return;
      staleTimer = setTimeout(
        () => {
          staleTimer = undefined;
          // A load under way checks again when it ends.
          if (!loading) void load();
        },
        STALE_MAP_RETRY_MS + Math.random() * STALE_MAP_JITTER_MS,
      );
    };

    const checkGap = () => {
      if (gapTimer || !book?.hasGap()) return;
      gapTimer = setTimeout(
        () => {
          gapTimer = undefined;
          if (!book?.hasGap() || loading) return;
          const wait = lastReload + MIN_RELOAD_INTERVAL_MS - Date.now();
          if (wait > 0)
            gapTimer = setTimeout(() => {
              gapTimer = undefined;
              checkGap();
            }, wait);
          else void load();
        },
        GAP_GRACE_MS + Math.random() * GAP_JITTER_MS,
      );
    };

    const onSeats = (e: MessageEvent<string>) => {
      let message: SeatChanges;
      try {
        message = JSON.parse(e.data) as SeatChanges;
      } catch {
        return;
      }
      recent.push(message);
      if (recent.length > RECENT_MESSAGES) recent.splice(0, recent.length - RECENT_MESSAGES);
      // Kept for the map that is loading.
      if (!book || loading) return;
      const changed = book.apply(message);
      if (changed.length > 0) publish({ revision: ++revision, lastChanged: changed });
      checkGap();
    };

    const onReady = (e: MessageEvent<string>) => {
      retryMs = 2000;
      readyCount++;
      publish({ live: 'live' });
      let from = 0;
      try {
        from = Number((JSON.parse(e.data) as { version?: number }).version) || 0;
      } catch {
        // An unreadable `ready` still means connected; reload to be safe.
      }
      streamFrom = from;
      // The first time, the map is loaded now unless it is already as new as the
      // stream's starting point; after a reconnect, always.
      if (readyCount > 1 || !book || book.version < from) void load();
    };

    const connect = () => {
      source = new EventSource(streamUrl(eventId));
      source.addEventListener('ready', onReady as EventListener);
      source.addEventListener('seats', onSeats as EventListener);
      source.onerror = () => {
        if (!source) return;
        publish({ live: 'reconnecting' });
        // The browser retries by itself unless the answer was not a stream (a 502
        // while replicas restart): then it gives up, and so we retry, backing off.
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          retryTimer = setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
        }
      };
    };

    connect();
    // Without a stream (a proxy that holds it back), show the map anyway.
    const fallback = setTimeout(() => {
      if (!book && !loading) void load();
    }, STREAM_WAIT_MS);
    return () => {
      clearTimeout(fallback);
      alive.current = false;
      controller.abort();
      clearTimeout(retryTimer);
      clearTimeout(gapTimer);
      clearTimeout(staleTimer);
      if (source) {
        source.onerror = null;
        source.close();
        source = null;
      }
    };
  }, [eventId]);

  return state;
}
