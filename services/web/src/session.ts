// The signed-in user and their bearer token.
//
// Kept in sessionStorage: it survives a reload but not the browser, so nothing
// is left behind on a shared computer once its windows are closed. A new tab of
// this site asks the open ones for the session over a BroadcastChannel (same
// origin only), so opening a link in a new tab keeps you logged in; logging out,
// or a new token after a password change, reaches every tab the same way.
// (A token in storage that scripts can read is exposed to script injection
// whatever the storage; the client never renders HTML from data.)
import { useEffect, useState } from 'preact/hooks';
import type { AuthResult, User } from './api/types.ts';

const KEY = 'tickets.session';
const RESTORE_WAIT_MS = 300;

export interface Session {
  token: string;
  user: User;
}

export type EndReason = 'logout' | 'expired';

type Message =
  | { type: 'ask' }
  | { type: 'share'; session: Session }
  | { type: 'start'; session: Session }
  | { type: 'end'; token: string; reason: EndReason };

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function write(value: Session | null): void {
  try {
    if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode, quota): the session lasts until reload.
  }
}

let current: Session | null = read();
let lastEnd: EndReason | null = null;
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('tickets.session') : null;
let restoring = current === null && channel !== null;
const listeners = new Set<() => void>();
const emit = () => {
  for (const listener of listeners) listener();
};

function adopt(value: Session | null, reason: EndReason | null = null): void {
  current = value;
  lastEnd = reason;
  write(value);
  emit();
}

if (channel) {
  channel.onmessage = (e: MessageEvent<Message>) => {
    const message = e.data;
    if (message.type === 'ask' && current)
      channel.postMessage({ type: 'share', session: current } as Message);
    else if (message.type === 'share' && restoring && !current) {
      restoring = false;
      adopt(message.session);
    } else if (message.type === 'start' && current?.user.id === message.session.user.id)
      adopt(message.session);
    else if (message.type === 'end' && current?.token === message.token) adopt(null, message.reason);
  };
  if (restoring) {
    channel.postMessage({ type: 'ask' } as Message);
    setTimeout(() => {
      if (!restoring) return;
      restoring = false;
      emit();
    }, RESTORE_WAIT_MS);
  }
}

export const session = {
  get: () => current,
  token: () => current?.token,
  user: () => current?.user ?? null,
  /** True briefly at start-up while other tabs are asked for their session. */
  restoring: () => restoring,
  start(result: AuthResult) {
    restoring = false;
    adopt({ token: result.token, user: result.user });
    channel?.postMessage({ type: 'start', session: current } as Message);
  },
  end(reason: EndReason) {
    if (!current) return;
    const { token } = current;
    adopt(null, reason);
    channel?.postMessage({ type: 'end', token, reason } as Message);
  },
  /** Why the last session ended, once (the login page tells the user). */
  takeEndReason(): EndReason | null {
    const reason = lastEnd;
    lastEnd = null;
    return reason;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** The current session; components re-render when it changes. */
export function useSession(): Session | null {
  const [, setTick] = useState(0);
  const rendered = current;
  const renderedRestoring = restoring;
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    const unsubscribe = session.subscribe(update);
    // A change between this render and the subscription would otherwise be missed.
    if (current !== rendered || restoring !== renderedRestoring) update();
    return unsubscribe;
  }, []);
  return current;
}
