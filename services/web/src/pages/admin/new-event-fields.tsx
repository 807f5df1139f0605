// The new event's details (title, venue, time, currency, description, image) and
// its sales settings (opening, limit per customer, waiting room).
import { ADMIT_PER_MINUTE, MAX_LENGTH, TICKETS_PER_CUSTOMER } from '@tickets/contract/limits';
import { Field, WholeNumberField } from '../../components/ui.tsx';
import { IMAGE_ACCEPT, MAX_IMAGE_SIZE } from './event-image.tsx';
import type { EventDraft } from './new-event-form.ts';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'CAD', 'AUD', 'JPY'];

interface Props {
  event: EventDraft;
  set: (patch: Partial<EventDraft>) => void;
}

const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function DetailsFields({ event, set }: Props) {
  return (
    <fieldset>
      <legend>Details</legend>
      <Field
        label="Title"
        id="title"
        required
        maxLength={MAX_LENGTH.eventTitle}
        value={event.title}
        onValue={(title) => set({ title })}
      />
      <Field
        label="Venue"
        id="venue"
        required
        maxLength={MAX_LENGTH.venue}
        value={event.venue}
        onValue={(venue) => set({ venue })}
      />
      <Field
        label="Starts at"
        id="starts-at"
        type="datetime-local"
        required
        hint={`Local time (${timeZone()}).`}
        value={event.startsAt}
        onValue={(startsAt) => set({ startsAt })}
      />
      <div class="field">
        <label for="currency">Currency</label>
        <select
          id="currency"
          value={event.currency}
          onChange={(e) => set({ currency: e.currentTarget.value })}
        >
          {CURRENCIES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="description">Description</label>
        <textarea
          id="description"
          rows={3}
          maxLength={MAX_LENGTH.description}
          value={event.description}
          onInput={(e) => set({ description: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for="image">Image (optional)</label>
        <input
          id="image"
          type="file"
          accept={IMAGE_ACCEPT}
          aria-describedby="image-hint"
          onChange={(e) => set({ image: e.currentTarget.files?.[0] ?? null })}
        />
        <p class="hint" id="image-hint">
          JPEG, PNG or WebP, at most {MAX_IMAGE_SIZE}; shown on the event list and the event page.
        </p>
      </div>
    </fieldset>
  );
}

export function SalesFields({ event, set }: Props) {
  return (
    <fieldset class="sales-settings">
      <legend>Sales</legend>
      <Field
        label="Sales open at"
        id="sales-start-at"
        type="datetime-local"
        hint={`Optional: empty opens sales at once. Holds and orders are refused before then. Local time (${timeZone()}).`}
        value={event.salesStartAt}
        onValue={(salesStartAt) => set({ salesStartAt })}
      />
      <WholeNumberField
        label="Tickets per customer"
        id="max-tickets-per-customer"
        min={TICKETS_PER_CUSTOMER.min}
        max={TICKETS_PER_CUSTOMER.max}
        hint={`At most this many tickets for this event per customer, seats on hold included (${TICKETS_PER_CUSTOMER.min} to ${TICKETS_PER_CUSTOMER.max}).`}
        value={event.perCustomer}
        onValue={(perCustomer) => set({ perCustomer })}
      />
      <div class="field checkbox">
        <input
          id="waiting-room"
          type="checkbox"
          checked={event.waitingRoom}
          aria-describedby="waiting-room-hint"
          onChange={(e) => set({ waitingRoom: e.currentTarget.checked })}
        />
        <label for="waiting-room">Waiting room</label>
        <p class="hint" id="waiting-room-hint">
          Customers queue and are let in a few a minute; those who join before the opening get a random place.
        </p>
      </div>
      {event.waitingRoom && (
        <WholeNumberField
          label="Customers let in per minute"
          id="admit-per-minute"
          min={ADMIT_PER_MINUTE.min}
          max={ADMIT_PER_MINUTE.max}
          value={event.admitPerMinute}
          onValue={(admitPerMinute) => set({ admitPerMinute })}
        />
      )}
    </fieldset>
  );
}
