// The seats a customer has picked on the map, up to a limit; seats that someone
// else takes meanwhile leave the selection, and `taken` names them.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Seat } from '../../api/types.ts';
import type { SeatBook } from '../../seats/seat-book.ts';

export function useSelection(
  book: SeatBook | null,
  revision: number,
  seatsById: ReadonlyMap<string, Seat>,
  maxPick: number,
) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [taken, setTaken] = useState<string[]>([]);
  const [limitHit, setLimitHit] = useState(false);

  /** Drops these seats from the selection, saying they were taken. */
  const drop = (gone: readonly string[]) => {
    setSelected((s) => new Set([...s].filter((seatId) => !gone.includes(seatId))));
    setTaken(gone.map((seatId) => seatsById.get(seatId)?.label ?? 'A seat'));
  };

  useEffect(() => {
    if (!book) return;
    const gone = [...selected].filter((seatId) => book.statusOf(seatId) !== 'available');
    if (gone.length > 0) drop(gone);
  }, [book, revision]);

  const toggle = useCallback(
    (seat: Seat) => {
      setTaken([]);
      setSelected((current) => {
        const next = new Set(current);
        if (next.has(seat.id)) next.delete(seat.id);
        else if (next.size >= maxPick) {
          setLimitHit(true);
          return current;
        } else next.add(seat.id);
        setLimitHit(false);
        return next;
      });
    },
    [maxPick],
  );

  const clear = () => setSelected(new Set());
  return { selected, taken, setTaken, limitHit, toggle, drop, clear };
}
