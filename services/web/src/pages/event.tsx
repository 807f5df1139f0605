// One event: the live seat map, choosing seats (by clicking, or the best N) and
// holding them for checkout. Before the sales open, and on an event with a
// waiting room until the queue has admitted this customer, the map is there to
// look at and the panel says what to wait for.
import { MAX_SEATS_PER_HOLD } from '@tickets/contract/limits';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { admissions } from '../admission.ts';
import { createHold, getEvent, getHold, listOrders } from '../api/endpoints.ts';
import { isCode } from '../api/problems.ts';
import type { Hold, Seat } from '../api/types.ts';
import { clock } from '../clock.ts';
import { Countdown } from '../components/countdown.tsx';
import { Legend, SeatMap } from '../components/seat-map.tsx';
import { ErrorBox, Loading, Notice } from '../components/ui.tsx';
import { countdown, dateTime, money, plural, priceRange, time } from '../format.ts';
import { useAsync, useNow, useTitle } from '../hooks.ts';
import { myHolds } from '../my-holds.ts';
import { Link, navigate } from '../router.tsx';
import { layoutOf } from '../seats/seat-book.ts';
import { type LiveState, useLiveSeats } from '../seats/use-live-seats.ts';
import { useSession } from '../session.ts';

export function EventPage({ id }: { id: string }) {
  const event = useAsync((signal) => getEvent(id, signal), [id]);
  useTitle(event.data?.title ?? 'Event');
  const live = useLiveSeats(id);
  const user = useSession()?.user;
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [quantity, setQuantity] = useState('2');
  const [busy, setBusy] = useState<'seats' | 'best' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [taken, setTaken] = useState<string[]>([]);
  const [limitHit, setLimitHit] = useState(false);
  const [hold, setHold] = useState<Hold | null>(null);
  // Re-renders when the sales open or an admission runs out.
  const now = useNow(1000);

  // A hold this tab made earlier for this event, if it is still running.
  useEffect(() => {
    setHold(null);
    const remembered = user ? myHolds.get(id) : undefined;
    if (!remembered) return;
    const controller = new AbortController();
    getHold(remembered.id, controller.signal).then(
      (h) => {
        if ((h.status ?? 'active') === 'active' && Date.parse(h.expiresAt) > clock.now()) setHold(h);
        else myHolds.forget(h.id);
      },
      () => {
        if (!controller.signal.aborted) myHolds.forget(remembered.id);
      },
    );
    return () => controller.abort();
  }, [id, user?.id]);

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

  // Selected seats that someone else just took leave the selection, with a word why.
  useEffect(() => {
    if (!book) return;
    const gone = [...selected].filter((seatId) => book.statusOf(seatId) !== 'available');
    if (gone.length === 0) return;
    setSelected((s) => new Set([...s].filter((seatId) => !gone.includes(seatId))));
    setTaken(gone.map((seatId) => seatsById.get(seatId)?.label ?? 'A seat'));
  }, [book, live.revision]);

  // One hold takes at most MAX_SEATS_PER_HOLD, and never more than the event lets one customer have.
  const maxPick = Math.min(MAX_SEATS_PER_HOLD, event.data?.maxTicketsPerCustomer ?? MAX_SEATS_PER_HOLD);
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

  const take = async (kind: 'seats' | 'best') => {
    if (!user) {
      navigate(`/login?next=${encodeURIComponent(`/events/${id}`)}`);
      return;
    }
    setBusy(kind);
    setError(null);
    setTaken([]);
    try {
      const body = kind === 'seats' ? { seatIds: [...selected] } : { quantity: Number(quantity) };
      const created = await createHold(id, body, admissions.get(id, user.id)?.token);
      myHolds.remember(id, created);
      setSelected(new Set());
      navigate(`/checkout/${created.id}`);
    } catch (err) {
      if (isCode(err, 'SEAT_UNAVAILABLE')) {
        const gone = err.problem?.unavailable ?? [];
        setSelected((s) => new Set([...s].filter((seatId) => !gone.includes(seatId))));
        setTaken(gone.map((seatId) => seatsById.get(seatId)?.label ?? 'A seat'));
      }
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
  const total = chosen.reduce((sum, s) => sum + s.priceCents, 0);
  const counts = book?.counts();
  const holdActive = hold !== null && Date.parse(hold.expiresAt) > clock.now();
  const opensAt = e.salesStartAt && Date.parse(e.salesStartAt) > now ? e.salesStartAt : null;
  const queued = e.waitingRoom?.enabled === true;
  const admission = queued && user ? admissions.get(id, user.id) : undefined;
  const mayChoose = onSale && !opensAt && (!queued || admission !== undefined);

  return (
    <div class="event-page">
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
          <LiveBadge state={live.live} />
        </p>
        <p class="event-limit" data-testid="ticket-limit">
          One customer may buy up to {plural(e.maxTicketsPerCustomer, 'ticket')} for this event (seats on hold
          count too).
        </p>
      </header>

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
            <>
              <h2>Your selection</h2>
              {admission && (
                <p class="hint" data-testid="admitted">
                  You are in: your turn lasts until{' '}
                  <time dateTime={admission.expiresAt}>{time(admission.expiresAt)}</time>.
                </p>
              )}
              {taken.length > 0 && (
                <Notice kind="warning">
                  Just taken by someone else: {taken.join(', ')}. Please pick other seats.
                </Notice>
              )}
              {chosen.length === 0 ? (
                <p class="muted">Click seats on the map to choose them (up to {maxPick}).</p>
              ) : (
                <ul class="selection">
                  {chosen.map((s) => (
                    <li key={s.id}>
                      <span>{s.label}</span>
                      <span>{money(s.priceCents, e.currency)}</span>
                      <button
                        type="button"
                        class="link"
                        aria-label={`Remove ${s.label}`}
                        onClick={() => toggle(s)}
                      >
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              {limitHit && <p class="hint">You can pick up to {plural(maxPick, 'seat')} at a time.</p>}
              {chosen.length > 0 && (
                <p class="total">
                  Total <strong>{money(total, e.currency)}</strong>
                </p>
              )}
              <button
                type="button"
                class="primary"
                disabled={chosen.length === 0 || busy !== null}
                aria-busy={busy === 'seats'}
                onClick={() => take('seats')}
              >
                {busy === 'seats'
                  ? 'Holding…'
                  : chosen.length === 0
                    ? 'Hold seats'
                    : `Hold ${plural(chosen.length, 'seat')}`}
              </button>

              <form
                class="best"
                onSubmit={(ev) => {
                  ev.preventDefault();
                  void take('best');
                }}
              >
                <h3>Or let us choose</h3>
                <div class="inline">
                  <label for="quantity">Number of seats</label>
                  <input
                    id="quantity"
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={maxPick}
                    required
                    value={quantity}
                    onInput={(ev) => setQuantity(ev.currentTarget.value)}
                  />
                  <button type="submit" disabled={busy !== null} aria-busy={busy === 'best'}>
                    {busy === 'best' ? 'Finding…' : 'Find the best seats'}
                  </button>
                </div>
                <p class="hint">The best seats available next to each other, in one section.</p>
              </form>
              <ErrorBox
                error={error}
                overrides={{
                  SEAT_UNAVAILABLE:
                    'Some of those seats were just taken by someone else. Please pick other seats.',
                  SOLD_OUT: `There are not ${quantity} seats left together. Try a smaller number.`,
                  ADMISSION_REQUIRED: 'Your turn has ended. Please join the queue again.',
                }}
              />
              {!user && (
                <p class="hint">
                  <Link href={`/login?next=${encodeURIComponent(`/events/${id}`)}`}>Log in</Link> or{' '}
                  <Link href={`/signup?next=${encodeURIComponent(`/events/${id}`)}`}>create an account</Link>{' '}
                  to buy tickets.
                </p>
              )}
            </>
          )}
        </aside>
      </div>
    </div>
  );
}

/** The panel of an event with a waiting room, until the queue has let this customer in. */
function WaitingRoomCard({
  eventId,
  opensAt,
  loggedIn,
  error,
}: {
  eventId: string;
  opensAt: string | null;
  loggedIn: boolean;
  error: unknown;
}) {
  const queuePath = `/events/${eventId}/queue`;
  return (
    <div data-testid="waiting-room">
      <h2>This sale has a waiting room</h2>
      <ErrorBox
        error={isCode(error, 'ADMISSION_REQUIRED') ? error : null}
        overrides={{ ADMISSION_REQUIRED: 'Your turn has ended. Please join the queue again.' }}
      />
      <p>
        Customers are let in a few at a time, so that everyone gets a fair chance at the seats.
        {opensAt && (
          <>
            {' '}
            Sales open on <time dateTime={opensAt}>{dateTime(opensAt)}</time>; everyone who joins the queue
            before then gets a random place.
          </>
        )}
      </p>
      {loggedIn ? (
        <Link class="button primary" href={queuePath}>
          Join the queue
        </Link>
      ) : (
        <p class="hint">
          <Link href={`/login?next=${encodeURIComponent(queuePath)}`}>Log in</Link> or{' '}
          <Link href={`/signup?next=${encodeURIComponent(queuePath)}`}>create an account</Link> to join the
          queue.
        </p>
      )}
    </div>
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
