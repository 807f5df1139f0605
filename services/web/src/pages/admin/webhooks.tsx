// Webhook endpoints: register one (its secret is shown once), remove one, and
// follow each one's deliveries with their attempts (refreshing by themselves).
import { useState } from 'preact/hooks';
import { createWebhook, deleteWebhook, listWebhooks, webhookDeliveries } from '../../api/endpoints.ts';
import type { CreatedWebhook, WebhookEventName } from '../../api/types.ts';
import { num, TableHead } from '../../components/table-head.tsx';
import { ErrorBox, Field, Loading, Notice, PageHeader, SubmitButton } from '../../components/ui.tsx';
import { dateTime } from '../../format.ts';
import { useAction, usePoll, useTitle } from '../../hooks.ts';
import { AdminNav } from './nav.tsx';

const EVENTS: [WebhookEventName, string][] = [
  ['order.confirmed', 'An order is paid'],
  ['order.cancelled', 'An order is cancelled'],
  ['event.sold_out', 'An event sells out'],
];

const REFRESH_MS = 5_000;

export function WebhooksPage() {
  useTitle('Webhooks');
  const hooks = usePoll((signal) => listWebhooks(signal), REFRESH_MS, []);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventName[]>(EVENTS.map(([e]) => e));
  const form = useAction();
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  return (
    <div>
      <AdminNav />
      <PageHeader title="Webhooks" />
      <p>
        Each change is sent as a signed <code>POST</code> to every endpoint that asked for it, retried until
        it answers 2xx. Verify <code>X-Tickets-Signature</code> with the endpoint's secret and deduplicate by{' '}
        <code>X-Tickets-Delivery</code>.
      </p>
      {created?.secret && (
        <Notice kind="success">
          Endpoint added. Its signing secret, shown only now: <code data-secret>{created.secret}</code>
        </Notice>
      )}
      <form
        class="narrow"
        onSubmit={(e) => {
          e.preventDefault();
          setCreated(null);
          void form.run(async () => {
            setCreated(await createWebhook({ url: url.trim(), events }));
            setUrl('');
            hooks.reload();
          });
        }}
      >
        <Field
          label="Endpoint URL"
          id="webhook-url"
          type="url"
          required
          placeholder="https://example.com/tickets-hooks"
          value={url}
          onValue={setUrl}
        />
        <fieldset class="checkboxes">
          <legend>Events</legend>
          {EVENTS.map(([name, text]) => (
            <label key={name}>
              <input
                type="checkbox"
                checked={events.includes(name)}
                onChange={(e) =>
                  setEvents((now) =>
                    e.currentTarget.checked ? [...now, name] : now.filter((x) => x !== name),
                  )
                }
              />{' '}
              {text} (<code>{name}</code>)
            </label>
          ))}
        </fieldset>
        <ErrorBox error={form.error} />
        <SubmitButton busy={form.busy} busyLabel="Adding…" disabled={events.length === 0}>
          Add endpoint
        </SubmitButton>
      </form>

      {hooks.loading && !hooks.data && <Loading label="Loading webhooks…" />}
      <ErrorBox error={hooks.error} />
      {hooks.data?.items.length === 0 && <p>No endpoints yet.</p>}
      {hooks.data && hooks.data.items.length > 0 && (
        <div class="table-wrap">
          <table class="webhooks">
            <caption class="sr-only">Webhook endpoints</caption>
            <TableHead columns={['URL', 'Events', num('Pending'), num('Failed'), 'Actions']} />
            <tbody>
              {hooks.data.items.map((h) => (
                <tr key={h.id}>
                  <td>
                    <code>{h.url}</code>
                  </td>
                  <td>{h.events.join(', ')}</td>
                  <td class="num">{h.pendingCount ?? 0}</td>
                  <td class="num">{h.failedCount ?? 0}</td>
                  <td>
                    <button
                      type="button"
                      class="button-small"
                      onClick={() => setOpen(open === h.id ? null : h.id)}
                    >
                      {open === h.id ? 'Hide deliveries' : 'Deliveries'}
                    </button>{' '}
                    <button
                      type="button"
                      class="button-small"
                      onClick={async () => {
                        if (!window.confirm(`Remove ${h.url} and its deliveries?`)) return;
                        try {
                          await deleteWebhook(h.id);
                          if (open === h.id) setOpen(null);
                        } catch (err) {
                          form.setError(err);
                        }
                        hooks.reload();
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <Deliveries id={open} />}
    </div>
  );
}

function Deliveries({ id }: { id: string }) {
  const deliveries = usePoll((signal) => webhookDeliveries(id, signal), REFRESH_MS, [id]);
  return (
    <section aria-label="Deliveries">
      <h2>Deliveries</h2>
      {deliveries.loading && !deliveries.data && <Loading label="Loading deliveries…" />}
      <ErrorBox error={deliveries.error} />
      {deliveries.data?.items.length === 0 && <p>Nothing sent yet.</p>}
      {deliveries.data && deliveries.data.items.length > 0 && (
        <div class="table-wrap">
          <table class="deliveries">
            <TableHead columns={['Time', 'Event', 'Status', num('Attempts'), 'Last attempt']} />
            <tbody>
              {deliveries.data.items.map((d) => {
                const last = d.attemptLog[d.attemptLog.length - 1];
                return (
                  <tr key={d.id} data-status={d.status}>
                    <td>
                      <time dateTime={d.createdAt}>{dateTime(d.createdAt)}</time>
                    </td>
                    <td>
                      <code title={d.id}>{d.eventType}</code>
                    </td>
                    <td>
                      {d.status}
                      {d.status === 'pending' && d.nextAttemptAt && (
                        <span class="muted"> · next {dateTime(d.nextAttemptAt)}</span>
                      )}
                    </td>
                    <td class="num">{d.attempts}</td>
                    <td>
                      {last
                        ? `${last.status !== null ? `HTTP ${last.status}` : (last.error ?? 'error')} · ${last.ms} ms · ${last.replica}`
                        : '—'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
