// One event: the live seat map, choosing seats (by clicking, or the best N) and
// holding them for checkout. Before the sales open, and on an event with a
// waiting room until the queue has admitted this customer, the map is there to
// look at and the panel says what to wait for.
import { MAX_SEATS_PER_HOLD } from '@tickets/contract/limits';
import { useCallback, useMemo, useState } from 'preact/hooks';
import { admissions } from '../admission.ts';
import { createHold, getEvent, listOrders } from '../api/endpoints.ts';
import { isCode } from '../api/problems.ts';
import type { Seat } from '../api/types.ts';
import { clock } from '../clock.ts';
import { Countdown } from '../components/countdown.tsx';
import { Legend, SeatMap } from '../components/seat-map.tsx';
import { ErrorBox, Loading } from '../components/ui.tsx';
import { countdown, dateTime } from '../format.ts';
import { useAsync, useNow, useTitle } from '../hooks.ts';
import { myHolds } from '../my-holds.ts';
import { Link, navigate } from '../router.tsx';
import { layoutOf } from '../seats/seat-book.ts';
import { useLiveSeats } from '../seats/use-live-seats.ts';
import { useSession } from '../session.ts';
import { EventHeader } from './event/event-header.tsx';
import { type Busy, SelectionPanel } from './event/selection-panel.tsx';
import { useRememberedHold } from './event/use-remembered-hold.ts';
import { useSelection } from './event/use-selection.ts';
import { WaitingRoomCard } from './event/waiting-room-card.tsx';

export function EventPage({ id }: { id: string }) {
  const event = useAsync((signal) => getEvent(id, signal), [id]);
  useTitle(event.data?.title ?? 'Event');
  const live = useLiveSeats(id);
  const user = useSession()?.user;
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<unknown>(null);
  const [hold, setHold] = useRememberedHold(id, user?.id);
  // Re-renders when the sales open or an admission runs out.
  const now = useNow(1000);

  const orders = useAsync(
    (signal) => (user ? listOrders(signal) : Promise.resolve({ items: [] })),
    [user?.id],
  );
  const mine = useMemo(() => {
    const ids = new Set<string>(hold?.seats.map((s) => s.id));
    // A cancelled order's seats went back on sale: they are not this customer's any more.
    for (const order of orders.data?.items ?? [])
      if (order.eventId === id && order.status !== 'cancelled')
        for (const seat of order.seats) ids.add(seat.id);
    return ids;
  }, [hold, orders.data, id]);

  const book = live.book;
  const sections = useMemo(() => (book ? layoutOf(book.seats) : []), [book]);
  const seatsById = useMemo(() => new Map(book?.seats.map((s) => [s.id, s])), [book]);
  const statusOf = useCallback((seat: Seat) => book?.statusOf(seat.id) ?? seat.status, [book, live.revision]);

  // One hold takes at most MAX_SEATS_PER_HOLD, and never more than the event lets one customer have.
  const maxPick = Math.min(MAX_SEATS_PER_HOLD, event.data?.maxTicketsPerCustomer ?? MAX_SEATS_PER_HOLD);
  const selection = useSelection(book, live.revision, seatsById, maxPick);
  const { selected, toggle } = selection;

  const take = async (kind: 'seats' | 'best', quantity?: number) => {
    if (!user) {
      navigate(`/login?next=${encodeURIComponent(`/events/${id}`)}`);
      return;
    }
    setBusy(kind);
    setError(null);
    selection.setTaken([]);
    try {
      const body = kind === 'seats' ? { seatIds: [...selected] } : { quantity: Number(quantity) };
      const created = await createHold(id, body, admissions.get(id, user.id)?.token);
      myHolds.remember(id, created);
      selection.clear();
      navigate(`/checkout/${created.id}`);
    } catch (err) {
      if (isCode(err, 'SEAT_UNAVAILABLE')) selection.drop(err.problem?.unavailable ?? []);
      // The admission ran out (or was never valid): the panel leads back to the queue.
      if (isCode(err, 'ADMISSION_REQUIRED')) admissions.forget(id);
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  if (event.loading && !event.data) return <Loading label="Loading the event…" />;
  if (!event.data)
    return (
      <ErrorBox
        error={event.error}
        overrides={{ NOT_FOUND: 'There is no such event. It may have been removed.' }}
      >
        <Link href="/">See all events</Link>
      </ErrorBox>
    );

  const e = event.data;
  const onSale = e.status === 'on_sale';
  const chosen = [...selected].map((seatId) => seatsById.get(seatId)).filter((s): s is Seat => Boolean(s));
  const counts = book?.counts();
  const holdActive = hold !== null && Date.parse(hold.expiresAt) > clock.now();
  const opensAt = e.salesStartAt && Date.parse(e.salesStartAt) > now ? e.salesStartAt : null;
  const queued = e.waitingRoom?.enabled === true;
  const admission = queued && user ? admissions.get(id, user.id) : undefined;
  const mayChoose = onSale && !opensAt && (!queued || admission !== undefined);

  return (
    <div class="event-page">
      <EventHeader event={e} live={live.live} />

      <div class="event-layout">
        <div class="map-column">
          <div class="map-toolbar">
            <Legend interactive={onSale} />
            {counts && (
              <p class="counts">
                {counts.available} available · {counts.held} held · {counts.sold} sold
              </p>
            )}
          </div>
          {!book && !live.loadError && <Loading label="Loading the seat map…" />}
          <ErrorBox error={live.loadError} />
          {book && (
            <div data-testid="seat-map" data-live={live.live} data-version={book.version}>
              <SeatMap
                sections={sections}
                currency={e.currency}
                statusOf={statusOf}
                mine={mine}
                selected={selected}
                onToggle={mayChoose && !holdActive ? toggle : undefined}
                revision={live.revision}
                label={`Seat map of ${e.title}`}
              />
            </div>
          )}
        </div>

        <aside class="panel" aria-label="Your seats">
          {holdActive && hold ? (
            <div class="hold-summary">
              <h2>Your seats are held</h2>
              <p>{hold.seats.map((s) => s.label).join(', ')}</p>
              <Countdown until={hold.expiresAt} onExpire={() => setHold(null)} />
              <Link class="button primary" href={`/checkout/${hold.id}`}>
                Continue to checkout
              </Link>
            </div>
          ) : !onSale ? (
            <p>Sales are closed for this event.</p>
          ) : queued && !admission ? (
            <WaitingRoomCard eventId={id} opensAt={opensAt} loggedIn={Boolean(user)} error={error} />
          ) : opensAt ? (
            <div data-testid="sales-not-open">
              <h2>Sales open soon</h2>
              <p>
                Sales open on <time dateTime={opensAt}>{dateTime(opensAt)}</time>, in{' '}
                <strong class="countdown-time">{countdown(Date.parse(opensAt) - now)}</strong>. You can look
                at the seats until then.
              </p>
            </div>
          ) : (
            <SelectionPanel
              eventId={id}
              currency={e.currency}
              loggedIn={Boolean(user)}
              admission={admission}
              chosen={chosen}
              taken={selection.taken}
              maxPick={maxPick}
              limitHit={selection.limitHit}
              onRemove={toggle}
              busy={busy}
              error={error}
              onHoldChosen={() => void take('seats')}
              onHoldBest={(quantity) => void take('best', quantity)}
            />
          )}
        </aside>
      </div>
    </div>
  );
}
