// Group commit: every one-step purchase that queued for an event on this replica
// while the previous round ran is sold together, in ONE statement whatever the
// batch size:
//
//   1. decide in memory who gets what, from the replica's seat view when it is
//      exact (see below), else from one read (the event's status, which named
//      seats are available, for best-N requests a window of available seats in
//      order of preference — ids only: the rest of a seat never changes and
//      comes from the seat view —, the per-customer limit and how many seats
//      each buyer of the round has);
//   2. one write, fenced: it checks this holder's epoch on the event row (or, as
//      the hold's first write, takes the next epoch on condition that the event
//      is at the version the view is whole up to), marks the seats sold, inserts
//      orders, tickets and the buyers' Idempotency-Keys, writes the operation log
//      — and refuses to commit (tickets_assert) unless exactly what was decided
//      changed and no buyer has more seats than the event allows a customer.
//
// Why the view, or a read outside the write's transaction, may decide: every
// seat change of an event is fenced by its lock epoch. A writer with an older
// epoch that was already inside its transaction finished before our epoch
// existed (it held the event row); one that was not is refused by its fence. So
// while this holder's fence holds, nobody else changes these seats, and a view
// that has seen every change up to the holder's version is exact. The write
// checks it anyway: a seat not available, a key already stored or sales closed
// make it raise, and nothing of it stays. If the fence fails, nothing is written
// and every buyer of the batch hears 503.
//
// The per-customer limit (maxTicketsPerCustomer: tickets plus held seats per
// customer and event) is decided the same way: the seat view knows who has each
// seat, so under the lock it counts each buyer's seats exactly, and the round
// adds what it gives each buyer as it decides. The limit itself comes with each
// request from the replica's copy of the event's settings; the read, when there
// is one, answers the stored one. The write asserts it again; a buyer found over
// it (a limit lowered since, a view that was wrong) makes the round decide again
// from the database.
//
// Each purchase keeps its own outcome: one buyer's refusal (seat taken earlier
// in the same batch, too few seats left, over the limit, sales closed) never
// fails the others, because refusals are decided before anything is written; a
// request whose key is stored already is left out and replays. What fails the whole batch is what
// would fail a single purchase: a lost fence, the database.
//
// Why raw SQL (round-state.ts reads, sale-writer.ts writes): Prisma cannot
// express per-row values through unnest, data-modifying CTEs or a
// statement-level assertion, and one statement per batch instead of several per
// purchase is the point of this module.
//
// This module runs the round; round-state.ts holds what it starts from,
// decide.ts its decisions, round-rows.ts what they become.
import { fencedOut } from '../../event-lock/fence.ts';
import type { HeldLock, ItemOutcome } from '../../event-lock/types.ts';
import { type AppError, notFound } from '../errors.ts';
import type { PurchaseContext } from './context.ts';
import { type Decision, decide } from './decide.ts';
import type { KeyUsed } from './idempotency.ts';
import { salesClosed } from './refusals.ts';
import { answers, soldChanges, writeWinners } from './round-rows.ts';
import { type BuyRequest, fromView, read } from './round-state.ts';
import { BatchConflict, type Fence, type Written } from './sale-writer.ts';
import type { EventSeats } from './seat-view.ts';
import type { Settlement } from './settlement.ts';

/**
 * Queues one purchase for the event's next round under its lock; the round sells
 * it with every other purchase queued meanwhile. `view` is the seat view the
 * purchase was checked against, used when the replica has none loaded.
 */
export function sellInRound(
  ctx: PurchaseContext,
  eventId: string,
  view: EventSeats,
  request: BuyRequest,
): Promise<Settlement> {
  return ctx.locks.inBatch(eventId, 'buy', request, (lock, requests: BuyRequest[]) =>
    sellBatch(ctx, eventId, lock, requests, view),
  );
}

async function sellBatch(
  ctx: PurchaseContext,
  eventId: string,
  lock: HeldLock,
  requests: BuyRequest[],
  layout: EventSeats,
): Promise<ItemOutcome<Settlement>[]> {
  const createdAt = new Date();
  // Under the lock nobody else changes this event's seats, so a view that has
  // seen every change up to the holder's version is exact: decide from it and
  // write at once. Otherwise (a change still on its way, a lost message) read.
  const view = ctx.seatViews.current(eventId) ?? layout;
  // The first write of a hold takes the epoch itself, on condition that the
  // event is still at the version the view is whole up to (one statement for
  // both); later writes check the epoch. A view that is not whole first takes
  // the epoch on its own and then reads.
  if (lock.epoch === undefined && view.version() === undefined) await lock.takeEpoch();
  let exact = lock.epoch === undefined || view.caughtUp(lock.version);
  let decided: Decision[];
  let written: Written | undefined;
  // Requests whose key an earlier request used: they buy nothing and replay.
  let used = new Set<number>();
  // The write found a buyer over the limit although the view was exact: either
  // the limit was lowered since this replica's copy, or the view is wrong.
  let overLimitFromView = false;
  for (let attempt = 0; ; attempt++) {
    const basis = lock.epoch === undefined ? view.version() : undefined;
    if (lock.epoch === undefined && basis === undefined) {
      await lock.takeEpoch();
      exact = view.caughtUp(lock.version);
    }
    const state = exact ? fromView(view, requests) : await read(ctx.db, eventId, requests, view);
    if (state.eventStatus === undefined) return requests.map(() => ({ ok: false, error: notFound('event') }));
    if (overLimitFromView) {
      overLimitFromView = false;
      // Only a view whose counts differ from the database's is wrong (a stale
      // limit is not the view's fault: it reloads nothing for that).
      if ([...state.owned].some(([buyer, n]) => view.owned(buyer) !== n)) view.distrust();
    }
    decided =
      state.eventStatus === 'on_sale'
        ? decide(state, requests, view, used)
        : requests.map((r): Decision => ({ ok: false, error: salesClosed(r.selection) }));
    // Nothing to sell: nothing is written, not even a new seat version.
    if (!decided.some((d) => d.ok)) {
      return decided.map((d) => ({ ok: false, error: (d as { error: AppError | KeyUsed }).error }));
    }
    // A pause here (GC, SIGSTOP, a slow network) is the dangerous one: decided, not yet written.
    await ctx.faults.inCriticalSection?.(eventId);
    try {
      const fence: Fence = lock.epoch !== undefined ? { epoch: lock.epoch } : { takeAt: basis ?? Number.NaN };
      written = await writeWinners(ctx, eventId, fence, requests, decided, createdAt);
      if (written || lock.epoch !== undefined) break;
      // The event is past the view's version (a change on its way, or a stale
      // holder wrote): take the epoch on its own and decide again from the
      // database — unless this holder's own lease ran out meanwhile.
      try {
        await lock.takeEpoch();
      } catch (err) {
        if (lock.lost) throw await fencedOut(ctx, eventId, undefined);
        throw err;
      }
      exact = false;
    } catch (err) {
      if (!(err instanceof BatchConflict)) {
        // The outcome is unknown (the write may have committed): the rest of
        // this hold reads the database rather than trust the view.
        lock.version = Number.POSITIVE_INFINITY;
        throw err;
      }
      // Sales were closed (PATCH is not fenced): every buyer is told so.
      if (err.kind === 'closed') return requests.map((r) => ({ ok: false, error: salesClosed(r.selection) }));
      if (attempt >= 3) throw err.answer();
      if (err.kind === 'limit') {
        // A buyer would pass the limit: decide again from the database, which
        // answers the stored limit and every buyer's count (also when the limit
        // was lowered between a read and this write).
        overLimitFromView = exact;
        await lock.takeEpoch();
        exact = false;
        continue;
      }
      if (err.kind === 'keys') {
        // Some keys were used before: leave those requests out and write the rest.
        used = await usedKeys(ctx, requests);
        continue;
      }
      // The view was wrong after all: distrust it and decide again from the database.
      if (!exact) throw err.answer();
      view.distrust();
      await lock.takeEpoch();
      exact = false;
    }
  }
  if (!written) {
    lock.lost = true;
    throw await fencedOut(ctx, eventId, lock.epoch);
  }
  lock.epoch = written.epoch;
  lock.version = written.version;
  ctx.publishSeats(eventId, written.version, soldChanges(requests, decided));
  return answers(ctx, eventId, requests, decided, written, createdAt);
}

/**
 * Which requests of the batch carry a key that is stored already: asked together,
 * one statement (used-keys.ts), not queued behind the refusals' questions.
 */
async function usedKeys(ctx: PurchaseContext, requests: BuyRequest[]): Promise<Set<number>> {
  const stored = await Promise.all(requests.map((r) => ctx.usedKeys.hasUnderLock(r.buyer.id, r.key)));
  return new Set(requests.flatMap((_, i) => (stored[i] ? [i] : [])));
}
