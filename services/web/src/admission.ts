// The admissions this tab was given by events' waiting rooms, until they run
// out: the event page sends the token with every hold. Kept in sessionStorage
// like the session itself (a reload keeps it, closing the browser does not), and
// per user, so that logging in as someone else never sends another's token.
// Should storage refuse one, the queue page gives the token again when asked.
import { clock } from './clock.ts';
import { storedRecord } from './stored-record.ts';

export interface Admission {
  userId: string;
  token: string;
  expiresAt: string;
}

const stored = storedRecord<Admission>('tickets.admissions');

export const admissions = {
  /** The user's admission to this event while it lasts (server time). */
  get(eventId: string, userId: string): Admission | undefined {
    const admission = stored.read()[eventId];
    if (!admission || admission.userId !== userId) return undefined;
    return Date.parse(admission.expiresAt) > clock.now() ? admission : undefined;
  },
  remember(eventId: string, admission: Admission): void {
    stored.write({ ...stored.read(), [eventId]: admission });
  },
  forget(eventId: string): void {
    const all = stored.read();
    delete all[eventId];
    stored.write(all);
  },
  clear(): void {
    stored.clear();
  },
};
