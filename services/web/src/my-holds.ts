// The holds this tab made, per event, so that the event page can show "your" seats
// and lead back to checkout. (The API has no "list my holds"; GET /holds/:id tells
// whether a remembered hold is still active.)
const KEY = 'tickets.holds';

interface Remembered {
  id: string;
  expiresAt: string;
}

function readAll(): Record<string, Remembered> {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Record<string, Remembered>;
  } catch {
    return {};
  }
}

function writeAll(all: Record<string, Remembered>): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // Not remembered: the hold still works, the event page just will not know it.
  }
}

export const myHolds = {
  get(eventId: string): Remembered | undefined {
    const hold = readAll()[eventId];
    return hold && Date.parse(hold.expiresAt) > Date.now() - 60_000 ? hold : undefined;
  },
  remember(eventId: string, hold: Remembered): void {
    writeAll({ ...readAll(), [eventId]: { id: hold.id, expiresAt: hold.expiresAt } });
  },
  forget(holdId: string): void {
    const all = readAll();
    for (const [eventId, hold] of Object.entries(all)) if (hold.id === holdId) delete all[eventId];
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
