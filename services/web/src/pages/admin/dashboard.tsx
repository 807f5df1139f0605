// The admin dashboard: every event with live sales totals, and recent activity.
import { useState } from 'preact/hooks';
import { adminEvents, auditLog, setEventStatus } from '../../api/endpoints.ts';
import type { AdminEvent } from '../../api/types.ts';
import { num, TableHead } from '../../components/table-head.tsx';
import { ErrorBox, Loading, Notice, PageHeader } from '../../components/ui.tsx';
import { flash } from '../../flash.ts';
import { dateTime, money, time } from '../../format.ts';
import { usePoll, useTitle } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { AuditTable } from './audit-table.tsx';
import { AdminNav } from './nav.tsx';

export const SALES_REFRESH_MS = 3000;

export function DashboardPage() {
  useTitle('Dashboard');
  const events = usePoll((signal) => adminEvents(signal), SALES_REFRESH_MS, []);
  const recent = usePoll((signal) => auditLog({ limit: 8 }, signal), SALES_REFRESH_MS, []);
  const [message] = useState(() => flash.take());

  return (
    <div>
      <AdminNav />
      <PageHeader title="Dashboard">
        <div class="toolbar">
          {events.updatedAt && (
            <span class="muted">
              Live totals · updated <time>{time(events.updatedAt)}</time>
            </span>
          )}
          <Link class="button primary" href="/admin/events/new">
            New event
          </Link>
        </div>
      </PageHeader>
      {message && <Notice kind="success">{message}</Notice>}
      {events.loading && !events.data && <Loading label="Loading events and sales…" />}
      <ErrorBox error={events.error} />
      {events.data && events.data.items.length === 0 && (
        <p>
          No events yet. <Link href="/admin/events/new">Create the first one</Link>.
        </p>
      )}
      {events.data && events.data.items.length > 0 && (
        <EventsTable events={events.data.items} onChanged={events.reload} />
      )}

      <h2>Recent activity</h2>
      <ErrorBox error={recent.error} />
      {recent.data && <AuditTable items={recent.data.items} />}
      <p>
        <Link href="/admin/audit">The whole operation log</Link>
      </p>
    </div>
  );
}

function totalsByCurrency(events: AdminEvent[]): [string, number][] {
  const totals = new Map<string, number>();
  for (const e of events) totals.set(e.currency, (totals.get(e.currency) ?? 0) + e.sales.revenueCents);
  return [...totals.entries()];
}

const COLUMNS = [
  'Event',
  'Sales',
  num('Sold'),
  num('Held'),
  num('Available'),
  num('Orders'),
  num('Revenue'),
  { label: <span class="sr-only">Actions</span> },
];

function EventsTable({ events, onChanged }: { events: AdminEvent[]; onChanged: () => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const sum = (pick: (e: AdminEvent) => number) => events.reduce((n, e) => n + pick(e), 0);

  const toggle = async (event: AdminEvent) => {
    setBusy(event.id);
    setError(null);
    try {
      await setEventStatus(event.id, event.status === 'on_sale' ? 'closed' : 'on_sale');
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <ErrorBox error={error} />
      <div class="table-wrap">
        <table class="sales">
          <caption class="sr-only">Events and their sales</caption>
          <TableHead columns={COLUMNS} />
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-event-id={e.id}>
                <th scope="row">
                  <Link href={`/admin/events/${e.id}/orders`}>{e.title}</Link>
                  <span class="muted small">
                    {dateTime(e.startsAt)} · {e.venue}
                  </span>
                  {(e.salesStartAt || e.waitingRoom?.enabled) && (
                    <span class="muted small" data-col="sales-settings">
                      {e.salesStartAt && `Sales open ${dateTime(e.salesStartAt)}`}
                      {e.salesStartAt && e.waitingRoom?.enabled && ' · '}
                      {e.waitingRoom?.enabled && `Waiting room, ${e.waitingRoom.admitPerMinute}/min`}
                    </span>
                  )}
                </th>
                <td>
                  <span class={`badge ${e.status === 'on_sale' ? 'on-sale' : 'closed'}`}>
                    {e.status === 'on_sale' ? 'On sale' : 'Closed'}
                  </span>
                </td>
                <td class="num" data-col="sold">
                  {e.sales.soldCount}
                </td>
                <td class="num" data-col="held">
                  {e.sales.heldCount}
                </td>
                <td class="num" data-col="available">
                  {e.sales.availableCount}
                </td>
                <td class="num" data-col="orders">
                  {e.sales.orderCount}
                </td>
                <td class="num" data-col="revenue">
                  {money(e.sales.revenueCents, e.currency)}
                </td>
                <td>
                  <div class="row-actions">
                    <Link href={`/admin/events/${e.id}/orders`}>Orders</Link>
                    <button type="button" class="small" disabled={busy === e.id} onClick={() => toggle(e)}>
                      {e.status === 'on_sale' ? 'Close sales' : 'Open sales'}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">All events</th>
              <td />
              <td class="num">{sum((e) => e.sales.soldCount)}</td>
              <td class="num">{sum((e) => e.sales.heldCount)}</td>
              <td class="num">{sum((e) => e.sales.availableCount)}</td>
              <td class="num">{sum((e) => e.sales.orderCount)}</td>
              <td class="num">
                {totalsByCurrency(events).map(([currency, cents]) => (
                  <span key={currency} class="block">
                    {money(cents, currency)}
                  </span>
                ))}
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}
