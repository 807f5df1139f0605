// Creating an event: details, a layout editor (sections with rows, seats per row
// and a price) and a preview of the seat map it makes.
import {
  ADMIT_PER_MINUTE,
  MAX_LENGTH,
  MAX_SEATS_PER_EVENT,
  MAX_SECTIONS,
  SECTION,
  TICKETS_PER_CUSTOMER,
} from '@tickets/contract/limits';
import { useMemo, useState } from 'preact/hooks';
import { createEvent, setEventImage } from '../../api/endpoints.ts';
import type { Seat } from '../../api/types.ts';
import { SeatMap } from '../../components/seat-map.tsx';
import { ErrorBox, Field, PageHeader, SubmitButton } from '../../components/ui.tsx';
import { flash } from '../../flash.ts';
import { dateTime, minorDigits, money, plural } from '../../format.ts';
import { useTitle } from '../../hooks.ts';
import { navigate } from '../../router.tsx';
import { layoutOf } from '../../seats/seat-book.ts';
import { IMAGE_ACCEPT, imageProblem, MAX_IMAGE_SIZE } from './event-image.tsx';
import { AdminNav } from './nav.tsx';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'CAD', 'AUD', 'JPY'];
const PREVIEW_SEATS = 2500;

interface SectionDraft {
  key: number;
  name: string;
  rows: string;
  seatsPerRow: string;
  price: string;
}

let nextKey = 1;
const draft = (name: string, rows: number, seatsPerRow: number, price: string): SectionDraft => ({
  key: nextKey++,
  name,
  rows: String(rows),
  seatsPerRow: String(seatsPerRow),
  price,
});

/** Next week at 20:00, as a datetime-local value. */
function defaultStart(): string {
  const d = new Date(Date.now() + 7 * 86400_000);
  d.setHours(20, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T20:00`;
}

const int = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : Number.NaN);

function toCents(text: string, currency: string): number {
  const value = Number(text.replace(',', '.'));
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) return Number.NaN;
  return Math.round(value * 10 ** minorDigits(currency));
}

/** Problems the server would refuse, found before sending. */
function check(sections: SectionDraft[], currency: string): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  let seats = 0;
  sections.forEach((s, i) => {
    const label = `Section ${i + 1}`;
    const name = s.name.trim();
    if (!name) problems.push(`${label} needs a name.`);
    else if (names.has(name)) problems.push(`${label}: another section is already called “${name}”.`);
    names.add(name);
    const rows = int(s.rows);
    const perRow = int(s.seatsPerRow);
    if (!(rows >= 1 && rows <= SECTION.maxRows))
      problems.push(`${label}: rows must be a whole number from 1 to ${SECTION.maxRows}.`);
    if (!(perRow >= 1 && perRow <= SECTION.maxSeatsPerRow))
      problems.push(`${label}: seats per row must be a whole number from 1 to ${SECTION.maxSeatsPerRow}.`);
    if (Number.isNaN(toCents(s.price, currency))) problems.push(`${label}: the price must be 0 or more.`);
    if (rows > 0 && perRow > 0) seats += rows * perRow;
  });
  if (seats > MAX_SEATS_PER_EVENT)
    problems.push(`An event can have at most ${MAX_SEATS_PER_EVENT.toLocaleString()} seats.`);
  return problems;
}

export function NewEventPage() {
  useTitle('New event');
  const [title, setTitle] = useState('');
  const [venue, setVenue] = useState('');
  const [description, setDescription] = useState('');
  const [startsAt, setStartsAt] = useState(defaultStart);
  const [currency, setCurrency] = useState('EUR');
  const [sections, setSections] = useState<SectionDraft[]>(() => [draft('Stalls', 8, 16, '45.00')]);
  const [salesStartAt, setSalesStartAt] = useState('');
  const [waitingRoom, setWaitingRoom] = useState(false);
  const [admitPerMinute, setAdmitPerMinute] = useState('100');
  const [perCustomer, setPerCustomer] = useState(String(TICKETS_PER_CUSTOMER.default));
  const [image, setImage] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tried, setTried] = useState(false);

  const problems = check(sections, currency);
  if (Number.isNaN(new Date(startsAt).getTime())) problems.unshift('Please enter when the event starts.');
  if (salesStartAt && Number.isNaN(new Date(salesStartAt).getTime()))
    problems.push('The sales opening is not a valid date and time (or leave it empty to open at once).');
  const rate = int(admitPerMinute);
  const maxPerCustomer = int(perCustomer);
  if (!(maxPerCustomer >= TICKETS_PER_CUSTOMER.min && maxPerCustomer <= TICKETS_PER_CUSTOMER.max))
    problems.push(
      `Tickets per customer must be a whole number from ${TICKETS_PER_CUSTOMER.min} to ${TICKETS_PER_CUSTOMER.max}.`,
    );
  const badImage = imageProblem(image);
  if (badImage) problems.push(badImage);
  if (waitingRoom && !(rate >= ADMIT_PER_MINUTE.min && rate <= ADMIT_PER_MINUTE.max))
    problems.push(
      `Customers let in per minute must be a whole number from ${ADMIT_PER_MINUTE.min} to ${ADMIT_PER_MINUTE.max.toLocaleString('en')}.`,
    );
  const seatCount = sections.reduce((n, s) => n + (int(s.rows) || 0) * (int(s.seatsPerRow) || 0), 0);
  const capacityValue = sections.reduce(
    (n, s) => n + (int(s.rows) || 0) * (int(s.seatsPerRow) || 0) * (toCents(s.price, currency) || 0),
    0,
  );
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const update = (key: number, patch: Partial<SectionDraft>) =>
    setSections((all) => all.map((s) => (s.key === key ? { ...s, ...patch } : s)));

  const submit = async () => {
    setTried(true);
    if (problems.length > 0) return;
    const start = new Date(startsAt);
    setBusy(true);
    setError(null);
    try {
      const created = await createEvent({
        title: title.trim(),
        venue: venue.trim(),
        description: description.trim(),
        startsAt: start.toISOString(),
        currency,
        ...(salesStartAt ? { salesStartAt: new Date(salesStartAt).toISOString() } : {}),
        ...(waitingRoom ? { waitingRoom: { enabled: true, admitPerMinute: rate } } : {}),
        maxTicketsPerCustomer: maxPerCustomer,
        layout: {
          sections: sections.map((s) => ({
            name: s.name.trim(),
            rows: int(s.rows),
            seatsPerRow: int(s.seatsPerRow),
            priceCents: toCents(s.price, currency),
          })),
        },
      });
      // The image goes once the event exists; should it be refused after all,
      // the event stays and its page takes another image.
      if (image) {
        try {
          await setEventImage(created.id, image);
        } catch {
          flash.set(`“${created.title}” was created, but its image was not saved: please add it here.`);
          navigate(`/admin/events/${created.id}/orders`);
          return;
        }
      }
      const opening = created.salesStartAt ? `sales open on ${dateTime(created.salesStartAt)}` : 'is on sale';
      const queue = created.waitingRoom?.enabled ? ', with a waiting room' : '';
      flash.set(
        `“${created.title}” was created with ${plural(created.seatCount, 'seat')}; ${opening}${queue}.`,
      );
      navigate('/admin');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <AdminNav />
      <PageHeader title="New event" />
      <form
        class="new-event"
        noValidate={false}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div class="two-columns">
          <fieldset>
            <legend>Details</legend>
            <Field
              label="Title"
              id="title"
              required
              maxLength={MAX_LENGTH.eventTitle}
              value={title}
              onValue={setTitle}
            />
            <Field
              label="Venue"
              id="venue"
              required
              maxLength={MAX_LENGTH.venue}
              value={venue}
              onValue={setVenue}
            />
            <Field
              label="Starts at"
              id="starts-at"
              type="datetime-local"
              required
              hint={`Local time (${timeZone}).`}
              value={startsAt}
              onValue={setStartsAt}
            />
            <div class="field">
              <label for="currency">Currency</label>
              <select id="currency" value={currency} onChange={(e) => setCurrency(e.currentTarget.value)}>
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
                value={description}
                onInput={(e) => setDescription(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="image">Image (optional)</label>
              <input
                id="image"
                type="file"
                accept={IMAGE_ACCEPT}
                aria-describedby="image-hint"
                onChange={(e) => setImage(e.currentTarget.files?.[0] ?? null)}
              />
              <p class="hint" id="image-hint">
                JPEG, PNG or WebP, at most {MAX_IMAGE_SIZE}; shown on the event list and the event page.
              </p>
            </div>
          </fieldset>

          <fieldset class="layout-editor">
            <legend>Seating layout</legend>
            <ol class="sections-editor">
              {sections.map((s, i) => (
                <li key={s.key} class="section-draft">
                  <fieldset>
                    <legend>Section {i + 1}</legend>
                    <div class="section-fields">
                      <Field
                        label="Name"
                        id={`section-${s.key}-name`}
                        required
                        maxLength={MAX_LENGTH.sectionName}
                        value={s.name}
                        onValue={(v) => update(s.key, { name: v })}
                      />
                      <Field
                        label="Rows"
                        id={`section-${s.key}-rows`}
                        type="number"
                        inputMode="numeric"
                        required
                        min={1}
                        max={SECTION.maxRows}
                        value={s.rows}
                        onValue={(v) => update(s.key, { rows: v })}
                      />
                      <Field
                        label="Seats per row"
                        id={`section-${s.key}-seats`}
                        type="number"
                        inputMode="numeric"
                        required
                        min={1}
                        max={SECTION.maxSeatsPerRow}
                        value={s.seatsPerRow}
                        onValue={(v) => update(s.key, { seatsPerRow: v })}
                      />
                      <Field
                        label={`Price (${currency})`}
                        id={`section-${s.key}-price`}
                        type="number"
                        inputMode="decimal"
                        required
                        min={0}
                        step={1 / 10 ** minorDigits(currency)}
                        value={s.price}
                        onValue={(v) => update(s.key, { price: v })}
                      />
                    </div>
                    <button
                      type="button"
                      class="link"
                      disabled={sections.length === 1}
                      onClick={() => setSections((all) => all.filter((x) => x.key !== s.key))}
                    >
                      Remove section {i + 1}
                    </button>
                  </fieldset>
                </li>
              ))}
            </ol>
            <button
              type="button"
              disabled={sections.length >= MAX_SECTIONS}
              onClick={() => setSections((all) => [...all, draft('', 5, 10, all.at(-1)?.price ?? '20.00')])}
            >
              Add a section
            </button>
            <p class="summary" aria-live="polite">
              {plural(sections.length, 'section')} · {plural(seatCount, 'seat')} · all sold:{' '}
              {money(capacityValue, currency)}
            </p>
          </fieldset>
        </div>

        <fieldset class="sales-settings">
          <legend>Sales</legend>
          <Field
            label="Sales open at"
            id="sales-start-at"
            type="datetime-local"
            hint={`Optional: empty opens sales at once. Holds and orders are refused before then. Local time (${timeZone}).`}
            value={salesStartAt}
            onValue={setSalesStartAt}
          />
          <Field
            label="Tickets per customer"
            id="max-tickets-per-customer"
            type="number"
            inputMode="numeric"
            required
            min={TICKETS_PER_CUSTOMER.min}
            max={TICKETS_PER_CUSTOMER.max}
            hint={`At most this many tickets for this event per customer, seats on hold included (${TICKETS_PER_CUSTOMER.min} to ${TICKETS_PER_CUSTOMER.max}).`}
            value={perCustomer}
            onValue={setPerCustomer}
          />
          <div class="field checkbox">
            <input
              id="waiting-room"
              type="checkbox"
              checked={waitingRoom}
              aria-describedby="waiting-room-hint"
              onChange={(e) => setWaitingRoom(e.currentTarget.checked)}
            />
            <label for="waiting-room">Waiting room</label>
            <p class="hint" id="waiting-room-hint">
              Customers queue and are let in a few a minute; those who join before the opening get a random
              place.
            </p>
          </div>
          {waitingRoom && (
            <Field
              label="Customers let in per minute"
              id="admit-per-minute"
              type="number"
              inputMode="numeric"
              required
              min={ADMIT_PER_MINUTE.min}
              max={ADMIT_PER_MINUTE.max}
              value={admitPerMinute}
              onValue={setAdmitPerMinute}
            />
          )}
        </fieldset>

        {tried && problems.length > 0 && (
          <div class="notice error" role="alert">
            <p>Please fix these first:</p>
            <ul>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        <ErrorBox error={error} />
        <SubmitButton busy={busy} busyLabel="Creating the event…">
          Create event
        </SubmitButton>

        <section class="preview" aria-labelledby="preview-title">
          <h2 id="preview-title">Preview</h2>
          <Preview sections={sections} currency={currency} />
        </section>
      </form>
    </div>
  );
}

function Preview({ sections, currency }: { sections: SectionDraft[]; currency: string }) {
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
