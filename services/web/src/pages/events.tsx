// The events on sale, soonest first.
import { useState } from 'preact/hooks';
import { listEvents } from '../api/endpoints.ts';
import type { TicketEvent } from '../api/types.ts';
import { clock } from '../clock.ts';
import { ErrorBox, Loading, MoreButton, PageHeader } from '../components/ui.tsx';
import { dateTime, priceRange } from '../format.ts';
import { useAsync, useTitle } from '../hooks.ts';
import { Link } from '../router.tsx';

export function EventsPage() {
  useTitle('Events');
  const first = useAsync((signal) => listEvents(undefined, signal), []);
  const [more, setMore] = useState<TicketEvent[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);

  const next = cursor === undefined ? first.data?.nextCursor : cursor;
  const events = [...(first.data?.items ?? []), ...more];

  return (
    <div>
      <PageHeader title="Upcoming events" />
      {first.loading && <Loading label="Loading events…" />}
      <ErrorBox error={first.error}>
        <button type="button" onClick={first.reload}>
          Try again
        </button>
      </ErrorBox>
      {first.data && events.length === 0 && <p>There are no upcoming events yet. Please come back later.</p>}
      <ul class="event-list">
        {events.map((event) => (
          <li key={event.id}>
            <EventCard event={event} />
          </li>
        ))}
      </ul>
      {next && (
        <MoreButton
          label="Show more events"
          load={async () => {
            const page = await listEvents(next);
            setMore((m) => [...m, ...page.items]);
            setCursor(page.nextCursor);
          }}
        />
      )}
    </div>
  );
}

function EventCard({ event }: { event: TicketEvent }) {
  const onSale = event.status === 'on_sale';
  const opens =
    event.salesStartAt && Date.parse(event.salesStartAt) > clock.now() ? event.salesStartAt : null;
  return (
    <article class="event-card">
      {/* Decorative: the title next to it says what the event is. */}
      {event.imageUrl && <img class="event-card-image" src={event.imageUrl} alt="" loading="lazy" />}
      <h2>
        <Link href={`/events/${event.id}`}>{event.title}</Link>
      </h2>
      <p class="event-when">
        <time dateTime={event.startsAt}>{dateTime(event.startsAt)}</time> · {event.venue}
      </p>
      <p class="event-meta">
        <span class={`badge ${onSale ? 'on-sale' : 'closed'}`}>{onSale ? 'On sale' : 'Sales closed'}</span>
        <span>{priceRange(event.minPriceCents, event.maxPriceCents, event.currency)}</span>
        <span>
          {event.availableCount === 0
            ? 'Sold out'
            : `${event.availableCount} of ${event.seatCount} seats left`}
        </span>
      </p>
      {onSale && (opens || event.waitingRoom?.enabled) && (
        <p class="event-meta">
          {opens && (
            <span>
              Sales open <time dateTime={opens}>{dateTime(opens)}</time>
            </span>
          )}
          {event.waitingRoom?.enabled && <span class="badge queue">Waiting room</span>}
        </p>
      )}
    </article>
  );
}
