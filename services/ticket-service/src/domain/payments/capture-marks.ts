// Records in the orders table that a payment was captured, by group commit: one
// UPDATE for every capture that finished while the previous one ran (at most one
// in flight per replica). A sale therefore still costs its batch's one statement
// under the lock; the marks follow outside it, one statement for a whole batch
// of buyers whose captures finish together.
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

export function createCaptureMarks(
  db: PrismaClient,
  onError: (err: unknown, orderIds: string[]) => void,
): CaptureMarks {
  let pending: string[] = [];
  let writing: Promise<void> | undefined;
  let scheduled = false;

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
    scheduled = false;
    if (writing || pending.length === 0) return;
    writing = writeAll().finally(() => {
      writing = undefined;
      // Added after the loop's last look and before this ran: not left behind.
      if (pending.length > 0) schedule();
    });
  }

  // Waits for the end of this turn of the event loop, so that the captures of
  // one batch, which finish together, share one statement.
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(start);
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
