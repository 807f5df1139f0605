// The seat map: sections and rows as they are, one button per seat, colours (and
// words, for screen readers) for available / selected / yours / held / sold.
// Keyboard: Tab reaches one seat per section; the arrow keys, Home and End move
// between seats; Enter or Space selects.
import type { TargetedKeyboardEvent } from 'preact';
import { useId, useState } from 'preact/hooks';
import type { Seat, SeatStatus } from '../api/types.ts';
import { money, priceRange } from '../format.ts';
import type { SectionLayout } from '../seats/seat-book.ts';

export type SeatLook = SeatStatus | 'selected' | 'mine';

const WORDS: Record<SeatLook, string> = {
  available: 'available',
  selected: 'selected',
  mine: 'yours',
  held: 'held by someone else',
  sold: 'sold',
};

/** Above this many seats, one section is shown at a time. */
const ONE_SECTION_ABOVE = 3000;

export interface SeatMapProps {
  sections: SectionLayout[];
  currency: string;
  statusOf: (seat: Seat) => SeatStatus;
  mine?: ReadonlySet<string>;
  selected?: ReadonlySet<string>;
  /** Without it the map is read-only (previews, watching). */
  onToggle?: (seat: Seat) => void;
  compact?: boolean;
  /** Changes whenever seat statuses change, so the map re-renders. */
  revision?: number;
  label?: string;
}

export function lookOf(
  seat: Seat,
  status: SeatStatus,
  mine?: ReadonlySet<string>,
  selected?: ReadonlySet<string>,
): SeatLook {
  if (status !== 'available' && mine?.has(seat.id)) return 'mine';
  if (status === 'available' && selected?.has(seat.id)) return 'selected';
  return status;
}

export function SeatMap(props: SeatMapProps) {
  const total = props.sections.reduce((n, s) => n + s.seatCount, 0);
  const paged = total > ONE_SECTION_ABOVE && props.sections.length > 1;
  const [shown, setShown] = useState(props.sections[0]?.name);
  const visible = paged ? props.sections.filter((s) => s.name === shown) : props.sections;

  return (
    <fieldset class={`seat-map${props.compact ? ' compact' : ''}`}>
      <legend class="sr-only">{props.label ?? 'Seat map'}</legend>
      <div class="stage" aria-hidden="true">
        Stage
      </div>
      {paged && (
        <fieldset class="section-tabs">
          <legend class="sr-only">Sections</legend>
          {props.sections.map((s) => (
            <button
              type="button"
              key={s.name}
              aria-pressed={s.name === shown}
              onClick={() => setShown(s.name)}
            >
              {s.name}
            </button>
          ))}
        </fieldset>
      )}
      {visible.map((section) => (
        <SeatSection key={section.name} section={section} {...props} />
      ))}
    </fieldset>
  );
}

function SeatSection({ section, ...props }: SeatMapProps & { section: SectionLayout }) {
  const { statusOf, mine, selected, onToggle, currency } = props;
  const [focus, setFocus] = useState<[number, number]>([0, 0]);
  const headingId = useId();
  let available = 0;
  for (const row of section.rows)
    for (const seat of row.seats) if (statusOf(seat) === 'available') available++;

  const move = (e: TargetedKeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    const r = Number(target.dataset.r);
    const c = Number(target.dataset.c);
    if (Number.isNaN(r) || Number.isNaN(c)) return;
    const rows = section.rows;
    let nr = r;
    let nc = c;
    switch (e.key) {
      case 'ArrowRight':
        nc = c + 1;
        break;
      case 'ArrowLeft':
        nc = c - 1;
        break;
      case 'ArrowDown':
        nr = r + 1;
        break;
      case 'ArrowUp':
        nr = r - 1;
        break;
      case 'Home':
        nc = 0;
        break;
      case 'End':
        nc = Number.MAX_SAFE_INTEGER;
        break;
      default:
        return;
    }
    e.preventDefault();
    nr = Math.max(0, Math.min(rows.length - 1, nr));
    nc = Math.max(0, Math.min((rows[nr]?.seats.length ?? 1) - 1, nc));
    setFocus([nr, nc]);
    const next = e.currentTarget.querySelector<HTMLElement>(`[data-r="${nr}"][data-c="${nc}"]`);
    next?.focus();
  };

  return (
    <section class="seat-section" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <span class="section-name">{section.name}</span>
        <span class="section-price">
          {priceRange(section.minPriceCents, section.maxPriceCents, currency)}
        </span>
        <span class="section-count">
          {available} of {section.seatCount} available
        </span>
      </h3>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: arrow keys move between the seat buttons inside. */}
      <div class="rows" onKeyDown={move}>
        {section.rows.map((row, r) => (
          <div class="seat-row" key={row.row}>
            <span class="row-label" aria-hidden="true">
              {row.row}
            </span>
            {row.seats.map((seat, c) => {
              const status = statusOf(seat);
              const look = lookOf(seat, status, mine, selected);
              const selectable = Boolean(onToggle) && status === 'available';
              const price = money(seat.priceCents, currency);
              return (
                <button
                  type="button"
                  key={seat.id}
                  class={`seat ${look}`}
                  data-seat-id={seat.id}
                  data-status={look}
                  data-r={r}
                  data-c={c}
                  tabIndex={focus[0] === r && focus[1] === c ? 0 : -1}
                  aria-label={`${seat.label}, ${price}, ${WORDS[look]}`}
                  aria-pressed={onToggle && status === 'available' ? look === 'selected' : undefined}
                  aria-disabled={!selectable}
                  title={`${seat.label} · ${price} · ${WORDS[look]}`}
                  onClick={() => {
                    setFocus([r, c]);
                    if (selectable) onToggle?.(seat);
                  }}
                >
                  {props.compact ? '' : seat.number}
                </button>
              );
            })}
          </div>
        ))}
      </div>
    </section>
  );
}

export function Legend({ interactive = true }: { interactive?: boolean }) {
  const items: [SeatLook, string][] = [
    ['available', 'Available'],
    ...(interactive ? ([['selected', 'Selected']] as [SeatLook, string][]) : []),
    ['mine', 'Yours'],
    ['held', 'Held'],
    ['sold', 'Sold'],
  ];
  return (
    <ul class="legend" aria-label="Legend">
      {items.map(([look, text]) => (
        <li key={look}>
          <span class={`seat swatch ${look}`} aria-hidden="true" />
          {text}
        </li>
      ))}
    </ul>
  );
}
