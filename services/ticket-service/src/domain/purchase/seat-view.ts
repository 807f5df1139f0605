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
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import type { SeatFeedMessage } from '../../lib/seat-feed.ts';
import { notFound } from '../errors.ts';
import type { SeatStatus } from './context.ts';

export interface ViewSeat {
  id: string;
  section: string;
  row: number;
  number: number;
  label: string;
  priceCents: number;
  status: SeatStatus;
  /** The customer of the seat's order or active hold; null while it is available. */
  owner: string | null;
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

export interface SeatViewSettings {
  maxAgeMs: number;
  gapMs: number;
  /** Events kept in memory; the least recently used is dropped. */
  capacity: number;
}

export const defaultSeatViewSettings: SeatViewSettings = { maxAgeMs: 5_000, gapMs: 1_000, capacity: 64 };

type Subscribe = (eventId: string, listener: (m: SeatFeedMessage) => void) => () => void;

interface Entry {
  view: LiveView;
  loading?: Promise<void>;
}

export interface SeatViews {
  of(eventId: string): Promise<EventSeats>;
  /** The event's view if this replica has one loaded, without waiting. */
  current(eventId: string): EventSeats | undefined;
  /** A change this replica itself committed: applied at once, before its echo from the feed. */
  apply(message: SeatFeedMessage): void;
  close(): void;
}

export function createSeatViews(
  db: PrismaClient,
  subscribe: Subscribe,
  settings: SeatViewSettings = defaultSeatViewSettings,
): SeatViews {
  const entries = new Map<string, Entry>();
  const firstLoads = new Map<string, Promise<LiveView>>();

  async function load(eventId: string): Promise<LiveView> {
    const view = new LiveView(eventId);
    // Listen before reading, so that no change committed after the read is missed.
    view.unsubscribe = subscribe(eventId, (m) => view.apply(m));
    try {
      await view.fill(db);
    } catch (err) {
      view.unsubscribe();
      throw err;
    }
    return view;
  }

  function remember(eventId: string, entry: Entry) {
    entries.delete(eventId);
    entries.set(eventId, entry);
    if (entries.size > settings.capacity) {
      const [oldestId, oldest] = entries.entries().next().value as [string, Entry];
      entries.delete(oldestId);
      oldest.view.unsubscribe();
    }
  }

  function refresh(eventId: string, entry: Entry): Promise<void> {
    entry.loading = load(eventId)
      .then((fresh) => {
        // Dropped from memory meanwhile: the fresh view must not stay subscribed.
        if (entries.get(eventId) !== entry) {
          fresh.unsubscribe();
          return;
        }
        const old = entry.view;
        entry.view = fresh;
        old.unsubscribe();
      })
      .catch(() => {})
      .finally(() => {
        entry.loading = undefined;
      });
    return entry.loading;
  }

  return {
    async of(eventId) {
      const entry = entries.get(eventId);
      if (entry) {
        remember(eventId, entry);
        const staleness = entry.view.stale(settings);
        if (staleness && !entry.loading) refresh(eventId, entry);
        // Too old to answer from (a quiet spell): wait for the fresh copy. A gap
        // or a distrusted view is refreshed while the current one serves.
        if (staleness === 'age' && entry.loading) await entry.loading;
        return entry.view;
      }
      let pending = firstLoads.get(eventId);
      if (!pending) {
        pending = load(eventId).finally(() => firstLoads.delete(eventId));
        firstLoads.set(eventId, pending);
      }
      const view = await pending;
      if (!entries.has(eventId)) remember(eventId, { view });
      return (entries.get(eventId) as Entry).view;
    },
    current(eventId) {
      return entries.get(eventId)?.view;
    },
    apply(message) {
      entries.get(message.eventId)?.view.apply(message);
    },
    close() {
      for (const entry of entries.values()) entry.view.unsubscribe();
      entries.clear();
    },
  };
}

class LiveView implements EventSeats {
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
    // One statement, so the seats are exactly at the version read with them. The
    // seats come as one JSON text that JSON.parse reads natively: Prisma maps a
    // raw result cell by cell, which for a hall of thousands of rows took tens of
    // milliseconds — paid by the first buyers of an event. A seat's owner comes
    // from its order (sold) or hold (held), both joined within the event.
    const [event] = await db.$queryRaw<
      { currency: string; seat_version: bigint; seats: string }[]
    >(Prisma.sql`
      SELECT e.currency, e.seat_version,
             (SELECT coalesce(json_agg(json_build_array(s.id, s.section, s."row", s.number, s.label,
                                                        s.price_cents, s.status::text,
                                                        coalesce(o.user_id, h.user_id),
                                                        s.section_position)), '[]')
                FROM seats s
                LEFT JOIN orders o ON s.status = 'sold' AND o.id = s.order_id AND o.event_id = e.id
                LEFT JOIN holds h ON s.status = 'held' AND h.id = s.hold_id AND h.event_id = e.id
               WHERE s.event_id = e.id)::text AS seats
        FROM events e WHERE e.id = ${this.eventId}::uuid`);
    if (!event) throw notFound('event');
    const rows = (
      JSON.parse(event.seats) as [
        string,
        string,
        number,
        number,
        string,
        number,
        SeatStatus,
        string | null,
        number,
      ][]
    ).map(([id, section, row, number, label, priceCents, status, owner, sectionPosition]) => ({
      id,
      section,
      row,
      number,
      label,
      priceCents,
      status,
      owner: status === 'available' ? null : this.own(owner, 1),
      sectionPosition,
    }));
    this.currency = event.currency;
    this.loadedVersion = Number(event.seat_version);
    this.contiguous = this.loadedVersion;
    rows.sort(
      (a, b) =>
        b.priceCents - a.priceCents ||
        // Sections in the layout's order (the name only breaks ties of
        // events created before the order was stored: all at position 0).
        a.sectionPosition - b.sectionPosition ||
        (a.section < b.section ? -1 : a.section > b.section ? 1 : 0) ||
        a.row - b.row ||
        a.number - b.number,
    );
    for (const row of rows) {
      const seat = { ...row, version: this.loadedVersion, ord: this.ordered.length };
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

  stale(settings: SeatViewSettings): 'age' | 'gap' | undefined {
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
