import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { clock } from './clock.ts';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change; aborts what is in flight when they change again. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

export interface Polled<T> extends Async<T> {
  /** When the data last arrived. */
  updatedAt: number | undefined;
}

/**
 * Loads now and then every `intervalMs` while the page is visible (a hidden tab
 * costs the servers nothing). Keeps the last good data when a refresh fails.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, deps: unknown[]) {
  const [state, setState] = useState<{
    data: T | undefined;
    error: unknown;
    loading: boolean;
    updatedAt: number | undefined;
  }>({ data: undefined, error: null, loading: true, updatedAt: undefined });
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;
    setState({ data: undefined, error: null, loading: true, updatedAt: undefined });

    const tick = async () => {
      clearTimeout(timer);
      if (document.visibilityState === 'visible') {
        controller = new AbortController();
        try {
          const data = await loadRef.current(controller.signal);
          if (stopped) return;
          setState({ data, error: null, loading: false, updatedAt: Date.now() });
        } catch (error) {
          if (stopped) return;
          setState((s) => ({ ...s, error, loading: false }));
        }
      }
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void tick();
    };
    document.addEventListener('visibilitychange', onVisible);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [...deps, intervalMs, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload } as Polled<T>;
}

/** The server's time, refreshed every `everyMs` while mounted. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(clock.now());
  useEffect(() => {
    const id = setInterval(() => setNow(clock.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}

export function useTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Tickets` : 'Tickets';
  }, [title]);
}

export interface Action {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  /** Runs `work` with `busy` set; what it throws becomes `error` (cleared when it starts). */
  run: (work: () => Promise<void>) => Promise<void>;
}

/** The busy flag and the error of a form's (or a button's) one request at a time. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
