// A per-replica, in-memory picture of each busy event's seats, kept fresh by the
// seat feed. It is used only to REFUSE what is plainly unavailable (and to price
// an authorization) without a database read; it never sells: every "yes" is
// decided again under the event lock from Postgres.
//
// How stale can it be? A change reaches it one pub/sub hop after its COMMIT
// (about a millisecond on one host). A lost message is noticed when a later
// version arrives and the gap stays open longer than `gapMs` (then the view is
// reloaded in the background while it goes on serving), and a view older than
// `maxAgeMs` is never answered from: the request waits for the reload. So a seat
// that came free is wrongly refused for at most `maxAgeMs` (default 5 s) even if
// every message about it was lost.
//
// The layout part (ids, sections, rows, prices, labels) never changes after an
// event is created, so it also answers row lengths for best-N without a query.
//
// It also knows who has each seat that is not available (the customer of its
// order or active hold), loaded with the seats and carried by every change on the
// feed, so it counts each customer's tickets and held seats: the per-customer
// limit is decided from it under the lock, as exactly as the seats are.
//
// This module is the view of one event; seat-rows.ts reads it, seat-views.ts
// keeps the views of the busy events with their feed subscriptions.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { SeatFeedMessage } from '../../lib/seat-feed.ts';
import type { SeatStatus } from './context.ts';
import { loadSeatRows, type SeatRow } from './seat-rows.ts';

/** A seat as the view keeps it: as read (seat-rows.ts), with the last change applied. */
export interface ViewSeat extends Omit<SeatRow, 'sectionPosition'> {
  /** Seat version of the last change applied to this seat. */
  version: number;
  /** Place in the order of preference (dearest first, then section in the layout's order, row, number). */
  ord: number;
}

export interface EventSeats {
  eventId: string;
  currency: string;
  seats: Map<string, ViewSeat>;
  availableCount(): number;
  /** Seats of the event this customer has: sold to them, or in their active holds. */
  owned(userId: string): number;
  /** Price of the dearest available seat, or 0 when none is left. */
  dearestAvailable(): number;
  /** Highest seat number in a row (rows are numbered from 1). */
  rowLength(section: string, row: number): number | undefined;
  /** Every seat change up to this seat version has reached the view. */
  caughtUp(version: number): boolean;
  /** The seat version the view is complete up to, with no later change seen; else undefined. */
  version(): number | undefined;
  /**
   * Up to `limit` available seats costing at most `maxPriceCents`, in order of
   * preference; `complete` when no further one exists.
   */
  availableInOrder(limit: number, maxPriceCents: number): { seats: ViewSeat[]; complete: boolean };
  /** The view was found wrong: it is reloaded on its next use. */
  distrust(): void;
}

/** One event's view: filled by one read, then moved on by every change on the feed. */
export class LiveView implements EventSeats {
  currency = '';
  seats = new Map<string, ViewSeat>();
  unsubscribe: () => void = () => {};
  private loadedAt = 0;
  private loadedVersion = 0;
  /** Every version up to this one has been seen. */
  private contiguous = 0;
  private ahead = new Set<number>();
  private gapSince: number | undefined;
  private early: SeatFeedMessage[] = [];
  private filled = false;
  private available = new Map<number, number>();
  private rows = new Map<string, number>();
  /** Per customer who has seats: the count (and one copy of the id, shared by their seats). */
  private owners = new Map<string, { id: string; seats: number }>();
  private ordered: ViewSeat[] = [];
  /** No seat before this place in `ordered` is available. */
  private firstFree = 0;
  private distrusted = false;
  private overflowed = false;

  readonly eventId: string;

  constructor(eventId: string) {
    this.eventId = eventId;
  }

  async fill(db: PrismaClient) {
    const loaded = await loadSeatRows(db, this.eventId);
    this.currency = loaded.currency;
    this.loadedVersion = loaded.version;
    this.contiguous = this.loadedVersion;
    for (const row of loaded.seats) {
      const owner = row.status === 'available' ? null : this.own(row.owner, 1);
      const seat = { ...row, owner, version: this.loadedVersion, ord: this.ordered.length };
      this.seats.set(row.id, seat);
      this.ordered.push(seat);
      if (row.status === 'available') this.count(row.priceCents, 1);
      const key = rowKey(row.section, row.row);
      this.rows.set(key, Math.max(this.rows.get(key) ?? 0, row.number));
    }
    this.loadedAt = performance.now();
    this.filled = true;
    for (const m of this.early.splice(0)) this.apply(m);
  }

  apply(message: SeatFeedMessage) {
    if (!this.filled) {
      this.early.push(message);
      return;
    }
    const v = message.version;
    if (v <= this.loadedVersion) return;
    if (v > this.contiguous && !this.overflowed) {
      this.ahead.add(v);
      while (this.ahead.delete(this.contiguous + 1)) this.contiguous++;
      // A gap that never closes while nobody asks: stop counting, reload on next use.
      if (this.ahead.size > MAX_AHEAD) {
        this.overflowed = true;
        this.ahead.clear();
      }
      if (this.ahead.size === 0) this.gapSince = undefined;
      else this.gapSince ??= performance.now();
    }
    for (const change of message.changes) {
      const seat = this.seats.get(change.id);
      // Messages from several Redis masters may arrive out of order: the newest wins.
      if (!seat || v <= seat.version) continue;
      if (seat.status === 'available') this.count(seat.priceCents, -1);
      else this.own(seat.owner, -1);
      seat.status = change.status as SeatStatus;
      // A change without an owner (none should be) counts for nobody: the limit
      // is then checked by the database's assertion, never skipped.
      seat.owner = seat.status === 'available' ? null : this.own(change.owner ?? null, 1);
      seat.version = v;
      if (seat.status === 'available') {
        this.count(seat.priceCents, 1);
        if (seat.ord < this.firstFree) this.firstFree = seat.ord;
      }
    }
  }

  stale(settings: { maxAgeMs: number; gapMs: number }): 'age' | 'gap' | undefined {
    const now = performance.now();
    if (now - this.loadedAt > settings.maxAgeMs) return 'age';
    if (this.distrusted || this.overflowed) return 'gap';
    return this.gapSince !== undefined && now - this.gapSince > settings.gapMs ? 'gap' : undefined;
  }

  availableCount(): number {
    let n = 0;
    for (const count of this.available.values()) n += count;
    return n;
  }

  owned(userId: string): number {
    return this.owners.get(userId)?.seats ?? 0;
  }

  dearestAvailable(): number {
    let dearest = 0;
    for (const [price, count] of this.available) if (count > 0 && price > dearest) dearest = price;
    return dearest;
  }

  rowLength(section: string, row: number): number | undefined {
    return this.rows.get(rowKey(section, row));
  }

  caughtUp(version: number): boolean {
    return this.filled && !this.distrusted && !this.overflowed && this.contiguous >= version;
  }

  version(): number | undefined {
    const whole = this.filled && !this.distrusted && !this.overflowed && this.ahead.size === 0;
    return whole ? this.contiguous : undefined;
  }

  distrust() {
    this.distrusted = true;
  }

  availableInOrder(limit: number, maxPriceCents: number) {
    const seats: ViewSeat[] = [];
    let i = this.firstFree;
    while (i < this.ordered.length && (this.ordered[i] as ViewSeat).status !== 'available') i++;
    this.firstFree = i;
    for (; i < this.ordered.length && seats.length < limit; i++) {
      const seat = this.ordered[i] as ViewSeat;
      if (seat.status === 'available' && seat.priceCents <= maxPriceCents) seats.push(seat);
    }
    return { seats, complete: seats.length < limit };
  }

  private count(price: number, delta: number) {
    this.available.set(price, (this.available.get(price) ?? 0) + delta);
  }

  /** Counts a seat for (or no longer for) its owner; answers the owner's shared id. */
  private own(owner: string | null, delta: 1 | -1): string | null {
    if (owner === null) return null;
    const entry = this.owners.get(owner) ?? { id: owner, seats: 0 };
    entry.seats += delta;
    if (entry.seats > 0) this.owners.set(owner, entry);
    else this.owners.delete(owner);
    return entry.id;
  }
}

const MAX_AHEAD = 4096;

const rowKey = (section: string, row: number) => `${section}\u0000${row}`;
