// The panel of an event on sale to this customer: the seats picked on the map,
// a button to hold them, and a form that holds the best N instead.
import { useState } from 'preact/hooks';
import type { Admission } from '../../admission.ts';
import type { Seat } from '../../api/types.ts';
import { ErrorBox, Notice } from '../../components/ui.tsx';
import { money, plural, time } from '../../format.ts';
import { Link } from '../../router.tsx';

export type Busy = 'seats' | 'best' | null;

export function SelectionPanel(props: {
  eventId: string;
  currency: string;
  loggedIn: boolean;
  admission: Admission | undefined;
  chosen: Seat[];
  taken: string[];
  maxPick: number;
  limitHit: boolean;
  onRemove: (seat: Seat) => void;
  busy: Busy;
  error: unknown;
  onHoldChosen: () => void;
  onHoldBest: (quantity: number) => void;
}) {
  const { eventId, currency, admission, chosen, taken, maxPick, busy } = props;
  const [quantity, setQuantity] = useState('2');
  const total = chosen.reduce((sum, s) => sum + s.priceCents, 0);
  const here = encodeURIComponent(`/events/${eventId}`);
  return (
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
              <span>{money(s.priceCents, currency)}</span>
              <button
                type="button"
                class="link"
                aria-label={`Remove ${s.label}`}
                onClick={() => props.onRemove(s)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.limitHit && <p class="hint">You can pick up to {plural(maxPick, 'seat')} at a time.</p>}
      {chosen.length > 0 && (
        <p class="total">
          Total <strong>{money(total, currency)}</strong>
        </p>
      )}
      <button
        type="button"
        class="primary"
        disabled={chosen.length === 0 || busy !== null}
        aria-busy={busy === 'seats'}
        onClick={() => props.onHoldChosen()}
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
          props.onHoldBest(Number(quantity));
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
        error={props.error}
        overrides={{
          SEAT_UNAVAILABLE: 'Some of those seats were just taken by someone else. Please pick other seats.',
          SOLD_OUT: `There are not ${quantity} seats left together. Try a smaller number.`,
          ADMISSION_REQUIRED: 'Your turn has ended. Please join the queue again.',
        }}
      />
      {!props.loggedIn && (
        <p class="hint">
          <Link href={`/login?next=${here}`}>Log in</Link> or{' '}
          <Link href={`/signup?next=${here}`}>create an account</Link> to buy tickets.
        </p>
      )}
    </>
  );
}
