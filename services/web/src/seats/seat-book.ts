// The seat map as this page knows it: loaded at a version, then kept current by
// the stream's changes. Pure logic, no DOM (unit-tested).
//
// A change carries the absolute new status of a seat and the version of the commit
// that made it. Messages can arrive more than once or out of order (they are relayed
// through several Redis masters and replicas), so each seat remembers the version
// that last set it and takes only newer news; anything at or below the loaded
// version is already in the map.
import type { Seat, SeatChanges, SeatMap, SeatStatus } from '../api/types.ts';

export class SeatBook {
  readonly eventId: string;
  readonly loadedVersion: number;
  /** Seats in the API's order: by section (the layout's order), row, number. */
  readonly seats: readonly Seat[];
  private readonly status = new Map<string, SeatStatus>();
  private readonly setAt = new Map<string, number>();
  private readonly received = new Set<number>();
  private newest: number;

  constructor(map: SeatMap) {
    this.eventId = map.eventId;
    this.loadedVersion = map.version;
    this.newest = map.version;
    this.seats = map.seats;
    for (const seat of map.seats) this.status.set(seat.id, seat.status);
  }

  statusOf(id: string): SeatStatus | undefined {
    return this.status.get(id);
  }

  /** The newest version seen, loaded or streamed. */
  get version(): number {
    return this.newest;
  }

  /** Applies one stream message; returns the ids of the seats whose status changed. */
  apply(message: SeatChanges): string[] {
    const { version } = message;
    if (!Number.isInteger(version) || version <= this.loadedVersion) return [];
    this.received.add(version);
    if (version > this.newest) this.newest = version;
    const changed: string[] = [];
    for (const change of message.changes) {
      const before = this.status.get(change.id);
      if (before === undefined) continue;
      if (version <= (this.setAt.get(change.id) ?? this.loadedVersion)) continue;
      this.setAt.set(change.id, version);
      if (before !== change.status) {
        this.status.set(change.id, change.status);
        changed.push(change.id);
      }
    }
    return changed;
  }

  /**
   * True when some version between the loaded one and the newest never arrived:
   * a lost message leaves seats stale, which only a reload repairs.
   */
  hasGap(): boolean {
    return this.newest - this.loadedVersion > this.received.size;
  }

  counts(): Record<SeatStatus, number> {
    const counts: Record<SeatStatus, number> = { available: 0, held: 0, sold: 0 };
    for (const status of this.status.values()) counts[status]++;
    return counts;
  }
}

export interface RowLayout {
  row: number;
  seats: Seat[];
}

export interface SectionLayout {
  name: string;
  rows: RowLayout[];
  seatCount: number;
  minPriceCents: number;
  maxPriceCents: number;
}

/** Groups seats into sections and rows in the order they come (the layout's sections, row, number). */
export function layoutOf(seats: readonly Seat[]): SectionLayout[] {
  const sections = new Map<string, SectionLayout>();
  const rows = new Map<string, RowLayout>();
  for (const seat of seats) {
    let section = sections.get(seat.section);
    if (!section) {
      section = {
        name: seat.section,
        rows: [],
        seatCount: 0,
        minPriceCents: seat.priceCents,
        maxPriceCents: seat.priceCents,
      };
      sections.set(seat.section, section);
    }
    const rowKey = `${seat.section}\u0000${seat.row}`;
    let row = rows.get(rowKey);
    if (!row) {
      row = { row: seat.row, seats: [] };
      rows.set(rowKey, row);
      section.rows.push(row);
    }
    row.seats.push(seat);
    section.seatCount++;
    section.minPriceCents = Math.min(section.minPriceCents, seat.priceCents);
    section.maxPriceCents = Math.max(section.maxPriceCents, seat.priceCents);
  }
  for (const section of sections.values()) {
    section.rows.sort((a, b) => a.row - b.row);
    for (const row of section.rows) row.seats.sort((a, b) => a.number - b.number);
  }
  return [...sections.values()];
}
