// The holds this tab made, per event, so that the event page can show "your" seats
// and lead back to checkout. (The API has no "list my holds"; GET /holds/:id tells
// whether a remembered hold is still active.) Should storage refuse one, the hold
// still works: the event page just will not know it.
import { storedRecord } from './stored-record.ts';

interface Remembered {
  id: string;
  expiresAt: string;
}

const stored = storedRecord<Remembered>('tickets.holds');

export const myHolds = {
  get(eventId: string): Remembered | undefined {
    const hold = stored.read()[eventId];
    return hold && Date.parse(hold.expiresAt) > Date.now() - 60_000 ? hold : undefined;
  },
  remember(eventId: string, hold: Remembered): void {
    stored.write({ ...stored.read(), [eventId]: { id: hold.id, expiresAt: hold.expiresAt } });
  },
  forget(holdId: string): void {
    const all = stored.read();
    for (const [eventId, hold] of Object.entries(all)) if (hold.id === holdId) delete all[eventId];
    stored.write(all);
  },
  clear(): void {
    stored.clear();
  },
};
