// The seat map's bookkeeping of stream messages (no browser needed).
import { describe, expect, it } from 'vitest';
import type { Seat } from '../src/api/types.ts';
import { layoutOf, SeatBook } from '../src/seats/seat-book.ts';

const seat = (id: string, section: string, row: number, number: number): Seat => ({
  id,
  section,
  row,
  number,
  label: `${section} · Row ${row} · Seat ${number}`,
  priceCents: 1000,
  status: 'available',
});

const map = (version: number) => ({
  eventId: 'e',
  version,
  seats: [seat('a', 'A', 1, 1), seat('b', 'A', 1, 2), seat('c', 'B', 1, 1)],
});

describe('SeatBook', () => {
  it('when a change is at or below the loaded version, then it is ignored', () => {
    const book = new SeatBook(map(5));
    expect(book.apply({ version: 5, changes: [{ id: 'a', status: 'sold' }] })).toEqual([]);
    expect(book.apply({ version: 3, changes: [{ id: 'a', status: 'held' }] })).toEqual([]);
    expect(book.statusOf('a')).toBe('available');
  });

  it('when changes arrive out of order or twice, then each seat keeps its newest status', () => {
    const book = new SeatBook(map(5));
    expect(book.apply({ version: 7, changes: [{ id: 'a', status: 'sold' }] })).toEqual(['a']);
    // Older news about the same seat (held at 6) must not undo the sale at 7.
    expect(
      book.apply({
        version: 6,
        changes: [
          { id: 'a', status: 'held' },
          { id: 'b', status: 'held' },
        ],
      }),
    ).toEqual(['b']);
    expect(book.apply({ version: 7, changes: [{ id: 'a', status: 'sold' }] })).toEqual([]);
    expect(book.statusOf('a')).toBe('sold');
    expect(book.statusOf('b')).toBe('held');
    expect(book.version).toBe(7);
    expect(book.counts()).toEqual({ available: 1, held: 1, sold: 1 });
  });

  it('when a version is missing, then the book reports a gap until it arrives', () => {
    const book = new SeatBook(map(5));
    book.apply({ version: 6, changes: [{ id: 'a', status: 'held' }] });
    expect(book.hasGap()).toBe(false);
    book.apply({ version: 8, changes: [{ id: 'a', status: 'sold' }] });
    expect(book.hasGap()).toBe(true);
    book.apply({ version: 7, changes: [{ id: 'c', status: 'held' }] });
    expect(book.hasGap()).toBe(false);
  });

  it('when a change names an unknown seat, then nothing happens', () => {
    const book = new SeatBook(map(1));
    expect(book.apply({ version: 2, changes: [{ id: 'zzz', status: 'sold' }] })).toEqual([]);
  });
});

describe('layoutOf', () => {
  it('when seats come in any order, then sections keep their first appearance and rows and seats are sorted', () => {
    const layout = layoutOf([
      seat('x', 'B', 2, 2),
      seat('y', 'B', 1, 1),
      seat('z', 'A', 1, 1),
      seat('w', 'B', 2, 1),
    ]);
    expect(layout.map((s) => s.name)).toEqual(['B', 'A']);
    expect(layout[0]?.rows.map((r) => [r.row, r.seats.map((s) => s.number)])).toEqual([
      [1, [1]],
      [2, [1, 2]],
    ]);
    expect(layout[0]?.seatCount).toBe(3);
  });
});
