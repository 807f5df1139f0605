// Paying for a hold: its seats, the time left, the card, and what happened.
import { CARD_DIGITS } from '@tickets/contract/limits';
import { useRef, useState } from 'preact/hooks';
import { ApiError, NetworkError, newIdempotencyKey } from '../api/client.ts';
import { getEvent, getHold, orderHold, releaseHold } from '../api/endpoints.ts';
import { isCode } from '../api/problems.ts';
import { clock } from '../clock.ts';
import { Countdown } from '../components/countdown.tsx';
import { ErrorBox, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { dateTime, money } from '../format.ts';
import { useAsync, useTitle } from '../hooks.ts';
import { myHolds } from '../my-holds.ts';
import { Link, navigate } from '../router.tsx';

export const TEST_CARD = '4242 4242 4242 4242';
// Digits, and the spaces or dashes people type between groups of four.
const CARD_INPUT = `[0-9 \\-]{${CARD_DIGITS.min},${CARD_DIGITS.max + Math.floor(CARD_DIGITS.max / 4)}}`;

export function CheckoutPage({ holdId }: { holdId: string }) {
  useTitle('Checkout');
  const hold = useAsync((signal) => getHold(holdId, signal), [holdId]);
  const event = useAsync(
    (signal) => (hold.data ? getEvent(hold.data.eventId, signal) : Promise.resolve(undefined)),
    [hold.data?.eventId],
  );
  const [card, setCard] = useState('');
  const [busy, setBusy] = useState<'pay' | 'release' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [expired, setExpired] = useState(false);
  // One key per purchase attempt: kept when the outcome is unknown (so that
  // pressing Pay again can never buy twice), renewed after a definite answer.
  const key = useRef(newIdempotencyKey());

  if (hold.loading && !hold.data) return <Loading label="Loading your seats…" />;
  if (!hold.data)
    return (
      <div class="narrow">
        <PageHeader title="Checkout" />
        <ErrorBox
          error={hold.error}
          overrides={{ NOT_FOUND: 'This hold does not exist, or it belongs to another account.' }}
        >
          <Link href="/">See all events</Link>
        </ErrorBox>
      </div>
    );

  const h = hold.data;
  const eventPath = `/events/${h.eventId}`;
  const status = h.status ?? 'active';
  const runningOut = expired || Date.parse(h.expiresAt) <= clock.now();

  if (status !== 'active' || isCode(error, 'HOLD_EXPIRED')) {
    const text =
      status === 'ordered'
        ? 'These seats have already been bought.'
        : status === 'released'
          ? 'You gave these seats up; they are back on sale.'
          : 'Your hold ran out and the seats went back on sale.';
    return (
      <div class="narrow">
        <PageHeader title="Checkout" />
        <Notice kind="warning">{text}</Notice>
        <p>
          {status === 'ordered' ? (
            <Link href="/orders">See your tickets</Link>
          ) : (
            <Link href={eventPath}>Pick seats again</Link>
          )}
        </p>
      </div>
    );
  }

  const pay = async () => {
    const digits = card.replace(/[\s-]/g, '');
    setBusy('pay');
    setError(null);
    try {
      const order = await orderHold(h.id, digits, key.current);
      myHolds.forget(h.id);
      navigate(`/orders/${order.id}?confirmed=1`);
    } catch (err) {
      const unknownOutcome = err instanceof NetworkError || (err instanceof ApiError && err.status >= 500);
      if (!unknownOutcome) key.current = newIdempotencyKey();
      setError(err);
      if (isCode(err, 'HOLD_EXPIRED')) myHolds.forget(h.id);
    } finally {
      setBusy(null);
    }
  };

  const release = async () => {
    setBusy('release');
    setError(null);
    try {
      await releaseHold(h.id);
      myHolds.forget(h.id);
      navigate(eventPath);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="checkout">
      <PageHeader title="Checkout" />
      <div class="checkout-layout">
        <section class="card" aria-labelledby="order-summary">
          <h2 id="order-summary">{event.data?.title ?? 'Your seats'}</h2>
          {event.data && (
            <p class="event-when">
              <time dateTime={event.data.startsAt}>{dateTime(event.data.startsAt)}</time> · {event.data.venue}
            </p>
          )}
          <ul class="selection">
            {h.seats.map((s) => (
              <li key={s.id}>
                <span>{s.label}</span>
                <span>{money(s.priceCents, h.currency)}</span>
              </li>
            ))}
          </ul>
          <p class="total">
            Total <strong>{money(h.totalCents, h.currency)}</strong>
          </p>
          <Countdown until={h.expiresAt} onExpire={() => setExpired(true)} />
        </section>

        <section class="card" aria-labelledby="payment">
          <h2 id="payment">Payment</h2>
          {runningOut ? (
            <>
              <Notice kind="warning">Your hold ran out and the seats went back on sale.</Notice>
              <Link class="button primary" href={eventPath}>
                Pick seats again
              </Link>
            </>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void pay();
              }}
            >
              <div class="field">
                <label for="card">Card number</label>
                <input
                  id="card"
                  name="card"
                  inputMode="numeric"
                  autocomplete="cc-number"
                  required
                  pattern={CARD_INPUT}
                  placeholder={TEST_CARD}
                  aria-describedby="card-hint"
                  value={card}
                  onInput={(e) => setCard(e.currentTarget.value)}
                />
                <p class="hint" id="card-hint">
                  This is a test shop: the card {TEST_CARD} is approved, cards ending in 0002 are declined. No
                  real money moves.
                </p>
              </div>
              <ErrorBox
                error={error}
                overrides={{
                  PAYMENT_DECLINED:
                    'Your card was declined. Nothing was charged and no seats were bought. Your seats are still held: try another card.',
                  UNAVAILABLE:
                    'We could not confirm the payment because the service is busy. Press Pay again: you will never be charged twice.',
                  VALIDATION_FAILED: `That card number is not valid. It should have ${CARD_DIGITS.min} to ${CARD_DIGITS.max} digits.`,
                }}
              />
              {error instanceof NetworkError && (
                <p class="hint">Pressing Pay again is safe: the same payment is never taken twice.</p>
              )}
              <div class="actions">
                <button type="submit" class="primary" disabled={busy !== null} aria-busy={busy === 'pay'}>
                  {busy === 'pay' ? 'Paying…' : `Pay ${money(h.totalCents, h.currency)}`}
                </button>
                <button type="button" disabled={busy !== null} onClick={release}>
                  {busy === 'release' ? 'Giving up…' : 'Give up these seats'}
                </button>
              </div>
            </form>
          )}
        </section>
      </div>
    </div>
  );
}
