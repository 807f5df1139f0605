// The top of an event page: what, when and where, whether it is on sale, and
// whether the seat map is live.
import type { TicketEvent } from '../../api/types.ts';
import { dateTime, plural, priceRange } from '../../format.ts';
import type { LiveState } from '../../seats/use-live-seats.ts';

export function EventHeader({ event: e, live }: { event: TicketEvent; live: LiveState }) {
  const onSale = e.status === 'on_sale';
  return (
    <header class="event-header">
      {e.imageUrl && <img class="event-banner" src={e.imageUrl} alt="" />}
      <h1 tabIndex={-1}>{e.title}</h1>
      <p class="event-when">
        <time dateTime={e.startsAt}>{dateTime(e.startsAt)}</time> · {e.venue}
      </p>
      {e.description && <p class="event-description">{e.description}</p>}
      <p class="event-meta">
        <span class={`badge ${onSale ? 'on-sale' : 'closed'}`}>{onSale ? 'On sale' : 'Sales closed'}</span>
        <span>{priceRange(e.minPriceCents, e.maxPriceCents, e.currency)}</span>
        <LiveBadge state={live} />
      </p>
      <p class="event-limit" data-testid="ticket-limit">
        One customer may buy up to {plural(e.maxTicketsPerCustomer, 'ticket')} for this event (seats on hold
        count too).
      </p>
    </header>
  );
}

function LiveBadge({ state }: { state: LiveState }) {
  const text = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }[state];
  return (
    <span class={`live-badge ${state}`} role="status" title="Seats update by themselves while you watch">
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}
