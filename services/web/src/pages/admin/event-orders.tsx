// The orders of one event, with the buyers, and its sales totals (both live).
import { ApiError } from '../../api/client.ts';
import { adminEvents, cancelOrder, eventOrders } from '../../api/endpoints.ts';
import type { AdminOrder } from '../../api/types.ts';
import { num, TableHead } from '../../components/table-head.tsx';
import { ErrorBox, Loading, PageHeader } from '../../components/ui.tsx';
import { dateTime, money, shortId, time } from '../../format.ts';
import { useAction, usePoll, useTitle } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { SALES_REFRESH_MS } from './dashboard.tsx';
import { DownloadCsvButton } from './download-csv.tsx';
import { EventImageControl } from './event-image.tsx';
import { AdminNav } from './nav.tsx';

export function EventOrdersPage({ id }: { id: string }) {
  const events = usePoll((signal) => adminEvents(signal), SALES_REFRESH_MS, []);
  const orders = usePoll((signal) => eventOrders(id, signal), SALES_REFRESH_MS, [id]);
  const event = events.data?.items.find((e) => e.id === id);
  useTitle(event ? `Orders · ${event.title}` : 'Orders');

  return (
    <div>
      <AdminNav />
      <PageHeader title={event ? `Orders for ${event.title}` : 'Orders'}>
        {orders.updatedAt && <span class="muted">Updated {time(orders.updatedAt)}</span>}
      </PageHeader>
      {event && (
        <dl class="stats">
          <div>
            <dt>Sold</dt>
            <dd data-stat="sold">{event.sales.soldCount}</dd>
          </div>
          <div>
            <dt>Held</dt>
            <dd>{event.sales.heldCount}</dd>
          </div>
          <div>
            <dt>Available</dt>
            <dd>{event.sales.availableCount}</dd>
          </div>
          <div>
            <dt>Orders</dt>
            <dd>{event.sales.orderCount}</dd>
          </div>
          <div>
            <dt>Revenue</dt>
            <dd data-stat="revenue">{money(event.sales.revenueCents, event.currency)}</dd>
          </div>
          <div>
            <dt>Max per customer</dt>
            <dd data-stat="max-per-customer" title="Tickets plus seats on hold one customer may have">
              {event.maxTicketsPerCustomer}
            </dd>
          </div>
        </dl>
      )}
      {event && (
        <p>
          <Link href={`/events/${id}`}>Open the public page with the seat map</Link>
        </p>
      )}
      {event && <DownloadCsvButton eventId={id} title={event.title} />}
      {event && <EventImageControl eventId={id} imageUrl={event.imageUrl} onChange={events.reload} />}
      {orders.loading && !orders.data && <Loading label="Loading orders…" />}
      <ErrorBox error={orders.error ?? (events.data && !event ? notFound : null)} />
      {orders.data?.items.length === 0 && <p>No orders yet.</p>}
      {orders.data && orders.data.items.length > 0 && (
        <div class="table-wrap">
          <table class="orders">
            <caption class="sr-only">Orders, newest first</caption>
            <TableHead columns={['Time', 'Buyer', 'Seats', num('Total'), 'Order', 'Status']} />
            <tbody>
              {orders.data.items.map((o) => (
                <tr key={o.id}>
                  <td>
                    <time dateTime={o.createdAt}>{dateTime(o.createdAt)}</time>
                  </td>
                  <td data-col="buyer">{o.userEmail}</td>
                  <td>{o.seats.map((s) => s.label).join(', ')}</td>
                  <td class="num">{money(o.totalCents, o.currency)}</td>
                  <td>
                    <code title={o.id}>{shortId(o.id)}</code>
                  </td>
                  <td data-col="status">
                    <CancelCell
                      order={o}
                      onDone={() => {
                        orders.reload();
                        events.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const notFound = new ApiError(404, 'NOT_FOUND', 'There is no such event.');

/** The order's status, and for a confirmed one a button that cancels it (after a confirmation). */
function CancelCell({ order, onDone }: { order: AdminOrder; onDone: () => void }) {
  const { busy, error, run } = useAction();
  if (order.status === 'cancelled') return <span class="badge badge-cancelled">Cancelled</span>;
  const cancel = async () => {
    if (
      !window.confirm(
        `Cancel this order of ${order.userEmail}? Its seats go back on sale and it is refunded.`,
      )
    ) {
      return;
    }
    await run(async () => {
      await cancelOrder(order.id);
      onDone();
    });
  };
  return (
    <>
      <button type="button" class="button-small" onClick={cancel} disabled={busy} aria-busy={busy}>
        {busy ? 'Cancelling…' : 'Cancel order'}
      </button>
      <ErrorBox
        error={error}
        overrides={{ TICKET_CHECKED_IN: 'A ticket of this order was checked in; it cannot be cancelled.' }}
      />
    </>
  );
}
