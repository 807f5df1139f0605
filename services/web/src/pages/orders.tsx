// Purchase history and the confirmation of one order, each ticket with its QR code.
import { getOrder, listOrders } from '../api/endpoints.ts';
import type { Order } from '../api/types.ts';
import { QrCode } from '../components/qr-code.tsx';
import { ErrorBox, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { dateTime, money, plural } from '../format.ts';
import { useAsync, useTitle } from '../hooks.ts';
import { Link, useLocation } from '../router.tsx';

export function OrdersPage() {
  useTitle('My tickets');
  const orders = useAsync((signal) => listOrders(signal), []);
  return (
    <div>
      <PageHeader title="My tickets" />
      {orders.loading && !orders.data && <Loading label="Loading your tickets…" />}
      <ErrorBox error={orders.error} />
      {orders.data?.items.length === 0 && (
        <p>
          You have no tickets yet. <Link href="/">Find an event</Link>
        </p>
      )}
      <ul class="order-list">
        {orders.data?.items.map((order) => (
          <li key={order.id}>
            <OrderCard order={order} />
          </li>
        ))}
      </ul>
    </div>
  );
}

export function OrderPage({ id }: { id: string }) {
  const { query } = useLocation();
  const justBought = query.get('confirmed') === '1';
  useTitle(justBought ? 'Order confirmed' : 'Order');
  const order = useAsync((signal) => getOrder(id, signal), [id]);
  return (
    <div>
      <PageHeader title={justBought ? 'Thank you! Your order is confirmed' : 'Your order'} />
      {order.loading && !order.data && <Loading label="Loading your order…" />}
      <ErrorBox error={order.error} overrides={{ NOT_FOUND: 'There is no such order in your account.' }} />
      {order.data && (
        <>
          {justBought && (
            <Notice kind="success">
              Payment received. Your tickets are below and in <Link href="/orders">My tickets</Link>; show a
              ticket's QR code at the entrance.
            </Notice>
          )}
          <OrderCard order={order.data} />
        </>
      )}
    </div>
  );
}

function OrderCard({ order }: { order: Order }) {
  return (
    <article
      class={order.status === 'cancelled' ? 'order card order-cancelled' : 'order card'}
      aria-labelledby={`order-${order.id}`}
      data-order-id={order.id}
      data-status={order.status}
    >
      <header>
        <h2 id={`order-${order.id}`}>
          <Link href={`/events/${order.eventId}`}>{order.eventTitle}</Link>
        </h2>
        <p class="muted order-meta">
          {plural(order.seats.length, 'ticket')} · {money(order.totalCents, order.currency)} · bought{' '}
          <time dateTime={order.createdAt}>{dateTime(order.createdAt)}</time> · order{' '}
          <Link href={`/orders/${order.id}`}>
            <code>{order.id.slice(0, 8)}</code>
          </Link>
        </p>
        {order.status === 'cancelled' && (
          <p class="order-cancelled-note">
            <strong>Cancelled</strong>
            {order.cancelledAt && (
              <>
                {' '}
                on <time dateTime={order.cancelledAt}>{dateTime(order.cancelledAt)}</time>
              </>
            )}
            . These tickets are no longer valid; the payment is refunded to your card.
          </p>
        )}
      </header>
      <ul class="tickets">
        {order.seats.map((seat) => {
          // The signed code is what the door scans (README, "Tickets at the door").
          const ticket = order.tickets?.find((t) => t.seatId === seat.id);
          return (
            <li class="ticket" key={seat.id}>
              {order.status === 'cancelled' ? (
                <p class="muted qr-missing">Cancelled</p>
              ) : ticket?.code ? (
                <QrCode value={ticket.code} size={120} label={`QR code of the ticket for ${seat.label}`} />
              ) : (
                <p class="muted qr-missing">
                  <Link href={`/orders/${order.id}`}>Open the order</Link> for this ticket's QR code.
                </p>
              )}
              <div>
                <p class="ticket-seat">{seat.label}</p>
                <p class="muted">{money(seat.priceCents, order.currency)}</p>
                {ticket?.checkedInAt && (
                  <p class="ticket-checked-in">
                    Checked in <time dateTime={ticket.checkedInAt}>{dateTime(ticket.checkedInAt)}</time>
                  </p>
                )}
                {ticket?.code && order.status !== 'cancelled' && (
                  <p class="ticket-id">
                    <code>{ticket.code}</code>
                  </p>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </article>
  );
}
