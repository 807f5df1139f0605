// The seating layout of a new event: its sections, each with rows, seats per row
// and a price, and what they add up to.
import { MAX_LENGTH, MAX_SECTIONS, SECTION } from '@tickets/contract/limits';
import { Field, WholeNumberField } from '../../components/ui.tsx';
import { minorDigits, money, plural } from '../../format.ts';
import { draft, type SectionDraft, seatsOf, toCents } from './new-event-form.ts';

type Sections = (update: (all: SectionDraft[]) => SectionDraft[]) => void;

export function SectionsEditor(props: { sections: SectionDraft[]; setSections: Sections; currency: string }) {
  const { sections, setSections, currency } = props;
  const seatCount = sections.reduce((n, s) => n + seatsOf(s), 0);
  const capacityValue = sections.reduce((n, s) => n + seatsOf(s) * (toCents(s.price, currency) || 0), 0);
  const update = (key: number, patch: Partial<SectionDraft>) =>
    setSections((all) => all.map((s) => (s.key === key ? { ...s, ...patch } : s)));

  return (
    <fieldset class="layout-editor">
      <legend>Seating layout</legend>
      <ol class="sections-editor">
        {sections.map((s, i) => (
          <li key={s.key} class="section-draft">
            <fieldset>
              <legend>Section {i + 1}</legend>
              <SectionFields section={s} currency={currency} update={(patch) => update(s.key, patch)} />
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
  );
}

function SectionFields({
  section: s,
  currency,
  update,
}: {
  section: SectionDraft;
  currency: string;
  update: (patch: Partial<SectionDraft>) => void;
}) {
  const id = `section-${s.key}`;
  return (
    <div class="section-fields">
      <Field
        label="Name"
        id={`${id}-name`}
        required
        maxLength={MAX_LENGTH.sectionName}
        value={s.name}
        onValue={(v) => update({ name: v })}
      />
      <WholeNumberField
        label="Rows"
        id={`${id}-rows`}
        min={1}
        max={SECTION.maxRows}
        value={s.rows}
        onValue={(v) => update({ rows: v })}
      />
      <WholeNumberField
        label="Seats per row"
        id={`${id}-seats`}
        min={1}
        max={SECTION.maxSeatsPerRow}
        value={s.seatsPerRow}
        onValue={(v) => update({ seatsPerRow: v })}
      />
      <Field
        label={`Price (${currency})`}
        id={`${id}-price`}
        type="number"
        inputMode="decimal"
        required
        min={0}
        step={1 / 10 ** minorDigits(currency)}
        value={s.price}
        onValue={(v) => update({ price: v })}
      />
    </div>
  );
}
