// The admissions this tab was given by events' waiting rooms, until they run
// out: the event page sends the token with every hold. Kept in sessionStorage
// like the session itself (a reload keeps it, closing the browser does not), and
// per user, so that logging in as someone else never sends another's token.
import { clock } from './clock.ts';

const KEY = 'tickets.admissions';

export interface Admission {
  userId: string;
  token: string;
  expiresAt: string;
}

function readAll(): Record<string, Admission> {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Record<string, Admission>;
  } catch {
    return {};
  }
}

function writeAll(all: Record<string, Admission>): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // Not kept: the queue page gives the token again when asked.
  }
}

export const admissions = {
  /** The user's admission to this event while it lasts (server time). */
  get(eventId: string, userId: string): Admission | undefined {
    const admission = readAll()[eventId];
    if (!admission || admission.userId !== userId) return undefined;
    return Date.parse(admission.expiresAt) > clock.now() ? admission : undefined;
  },
  remember(eventId: string, admission: Admission): void {
    writeAll({ ...readAll(), [eventId]: admission });
  },
  forget(eventId: string): void {
    const all = readAll();
    delete all[eventId];
    writeAll(all);
  },
  clear(): void {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // nothing to clear
    }
  },
};
