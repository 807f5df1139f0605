// Creating an event: details, a layout editor (sections with rows, seats per row
// and a price) and a preview of the seat map it makes.
import { useState } from 'preact/hooks';
import { createEvent, setEventImage } from '../../api/endpoints.ts';
import { ErrorBox, PageHeader, SubmitButton } from '../../components/ui.tsx';
import { flash } from '../../flash.ts';
import { dateTime, plural } from '../../format.ts';
import { useAction, useTitle } from '../../hooks.ts';
import { navigate } from '../../router.tsx';
import { LayoutPreview } from './layout-preview.tsx';
import { AdminNav } from './nav.tsx';
import { DetailsFields, SalesFields } from './new-event-fields.tsx';
import {
  createRequest,
  draft,
  type EventDraft,
  emptyEvent,
  problemsOf,
  type SectionDraft,
} from './new-event-form.ts';
import { SectionsEditor } from './sections-editor.tsx';

export function NewEventPage() {
  useTitle('New event');
  const [event, setEvent] = useState(emptyEvent);
  const [sections, setSections] = useState<SectionDraft[]>(() => [draft('Stalls', 8, 16, '45.00')]);
  const action = useAction();
  const [tried, setTried] = useState(false);
  const set = (patch: Partial<EventDraft>) => setEvent((e) => ({ ...e, ...patch }));
  const problems = problemsOf(event, sections);

  const submit = async () => {
    setTried(true);
    if (problems.length > 0) return;
    await action.run(async () => {
      const created = await createEvent(createRequest(event, sections));
      // The image goes once the event exists; should it be refused after all,
      // the event stays and its page takes another image.
      if (event.image) {
        try {
          await setEventImage(created.id, event.image);
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
    });
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
          <DetailsFields event={event} set={set} />
          <SectionsEditor sections={sections} setSections={setSections} currency={event.currency} />
        </div>

        <SalesFields event={event} set={set} />

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
        <ErrorBox error={action.error} />
        <SubmitButton busy={action.busy} busyLabel="Creating the event…">
          Create event
        </SubmitButton>

        <section class="preview" aria-labelledby="preview-title">
          <h2 id="preview-title">Preview</h2>
          <LayoutPreview sections={sections} currency={event.currency} />
        </section>
      </form>
    </div>
  );
}
