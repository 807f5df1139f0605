// Records in the orders table that a payment was captured, by group commit: one
// UPDATE for every capture that finished within `delayMs` of the first one (and
// at most one in flight per replica). A sale therefore still costs its batch's one
// statement under the lock; the marks follow outside it, one statement for all the
// buyers of a replica whose captures finished in that window. The window matters
// when an event is not hot: its batches are of one or two buyers, and a statement
// per batch would double what PostgreSQL does per purchase. Nothing waits for a
// mark: the answer has gone, and the capture sweep looks only at orders older
// than its grace period (CAPTURE_GRACE_MS, 30 s).
//
// A mark that is never written (the replica dies, the database fails) is not
// lost money: the order stays 'authorized', and after the grace period the
// capture sweep captures it again (a capture is idempotent per reference).
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';

export interface CaptureMarks {
  /** The order's payment was captured: written soon, together with the others of the moment. */
  add(orderId: string): void;
  /** Writes every mark added so far (before the database is closed). */
  flush(): Promise<void>;
}

const MAX_PER_STATEMENT = 1_000;
/** How long the first capture of a group waits for others to join its statement. */
export const CAPTURE_MARK_DELAY_MS = 100;

export function createCaptureMarks(
  db: PrismaClient,
  onError: (err: unknown, orderIds: string[]) => void,
  delayMs = CAPTURE_MARK_DELAY_MS,
): CaptureMarks {
  let pending: string[] = [];
  let writing: Promise<void> | undefined;
  let scheduled: NodeJS.Timeout | undefined;

  async function writeAll() {
    while (pending.length > 0) {
      const ids = pending.slice(0, MAX_PER_STATEMENT);
      pending = pending.slice(MAX_PER_STATEMENT);
      try {
        // Conditional, so that a mark never undoes anything and a second one is a no-op.
        await db.$executeRaw(Prisma.sql`
          UPDATE orders SET payment_status = 'captured', captured_at = now()
           WHERE id = ANY(${ids}::uuid[]) AND payment_status = 'authorized'`);
      } catch (err) {
        onError(err, ids);
      }
    }
  }

  function start() {
    clearTimeout(scheduled);
    scheduled = undefined;
    if (writing || pending.length === 0) return;
    writing = writeAll().finally(() => {
      writing = undefined;
      // Added after the loop's last look and before this ran: not left behind.
      if (pending.length > 0) schedule();
    });
  }

  function schedule() {
    if (scheduled) return;
    scheduled = setTimeout(start, delayMs);
  }

  return {
    add(orderId) {
      pending.push(orderId);
      // A running write takes it when its statement returns.
      if (!writing) schedule();
    },
    async flush() {
      while (writing || pending.length > 0) {
        start();
        await writing;
      }
    },
  };
}
