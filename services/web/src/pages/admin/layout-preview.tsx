// The seat map a new event's layout makes, as buyers will see it; too large a
// layout is listed by section instead of drawn seat by seat.
import { SECTION } from '@tickets/contract/limits';
import { useMemo } from 'preact/hooks';
import type { Seat } from '../../api/types.ts';
import { SeatMap } from '../../components/seat-map.tsx';
import { money, plural } from '../../format.ts';
import { layoutOf } from '../../seats/seat-book.ts';
import { int, type SectionDraft, toCents } from './new-event-form.ts';

const PREVIEW_SEATS = 2500;

export function LayoutPreview({ sections, currency }: { sections: SectionDraft[]; currency: string }) {
  const valid = sections.filter(
    (s) =>
      s.name.trim() &&
      int(s.rows) >= 1 &&
      int(s.seatsPerRow) >= 1 &&
      int(s.rows) <= SECTION.maxRows &&
      int(s.seatsPerRow) <= SECTION.maxSeatsPerRow,
  );
  const total = valid.reduce((n, s) => n + int(s.rows) * int(s.seatsPerRow), 0);
  const layout = useMemo(() => {
    if (total > PREVIEW_SEATS) return null;
    const seats: Seat[] = [];
    for (const s of valid) {
      const name = s.name.trim();
      const priceCents = toCents(s.price, currency) || 0;
      for (let r = 1; r <= int(s.rows); r++)
        for (let n = 1; n <= int(s.seatsPerRow); n++)
          seats.push({
            id: `${s.key}-${r}-${n}`,
            section: name,
            row: r,
            number: n,
            label: `${name} · Row ${r} · Seat ${n}`,
            priceCents,
            status: 'available',
          });
    }
    return layoutOf(seats);
  }, [JSON.stringify(valid), currency, total]);

  if (valid.length === 0)
    return <p class="muted">Add a section with a name, rows and seats to see it here.</p>;
  if (!layout)
    return (
      <div class="preview-blocks">
        {valid.map((s) => (
          <div key={s.key} class="preview-block">
            <strong>{s.name}</strong> {int(s.rows)} rows × {int(s.seatsPerRow)} seats ·{' '}
            {money(toCents(s.price, currency) || 0, currency)}
          </div>
        ))}
        <p class="muted">
          Too many seats to draw one by one ({total.toLocaleString()}); buyers see one section at a time.
        </p>
      </div>
    );
  return (
    <>
      <p class="muted">What buyers will see ({plural(total, 'seat')}):</p>
      <SeatMap
        sections={layout}
        currency={currency}
        statusOf={() => 'available'}
        compact
        label="Preview of the seat map"
      />
    </>
  );
}
