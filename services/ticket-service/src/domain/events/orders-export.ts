// An event's orders and tickets as CSV (RFC 4180), streamed: the rows are read
// in keyset pages of orders, each page only when the client has taken the one
// before (the stream's back-pressure pulls the next), so memory stays flat
// whatever the event's size and a client that goes away stops the reads.
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { Prisma } from '../../generated/prisma/client.ts';
import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';

/** Orders per page: at most 100 tickets each (maxTicketsPerCustomer), so a bounded page. */
const ORDERS_PER_PAGE = 250;

export const ORDER_CSV_COLUMNS = [
  'order_id',
  'order_created_at',
  'order_status',
  'payment_status',
  'buyer_name',
  'buyer_email',
  'order_total_cents',
  'currency',
  'ticket_id',
  'seat_id',
  'section',
  'row',
  'seat_number',
  'seat_label',
  'ticket_price_cents',
] as const;

type CsvRow = Record<(typeof ORDER_CSV_COLUMNS)[number], string | number | null>;

interface PageRow {
  order_id: string;
  created_at: Date;
  order_status: string;
  payment_status: string;
  buyer_name: string;
  buyer_email: string;
  total_cents: number;
  currency: string;
  ticket_id: string | null;
  seat_id: string | null;
  section: string | null;
  row: number | null;
  number: number | null;
  label: string | null;
  price_cents: number | null;
}

/** Every order of the event (oldest first) with one row per ticket, page by page. */
async function* orderRows(ctx: DomainContext, eventId: string): AsyncGenerator<CsvRow> {
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    // Keyset, not OFFSET: each page starts where the last ended, found through
    // orders_event_id_created_at_idx, so page 400 costs what page 1 does.
    const from = after
      ? Prisma.sql`AND (o.created_at, o.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`
      : Prisma.empty;
    const rows = await ctx.db.$queryRaw<PageRow[]>(Prisma.sql`
      WITH page AS (
        SELECT o.id, o.created_at, o.status, o.payment_status, o.user_id, o.total_cents, o.currency
          FROM orders o
         WHERE o.event_id = ${eventId}::uuid ${from}
         ORDER BY o.created_at, o.id
         LIMIT ${ORDERS_PER_PAGE})
      SELECT p.id AS order_id, p.created_at, p.status AS order_status,
             p.payment_status::text AS payment_status, u.name AS buyer_name, u.email AS buyer_email,
             p.total_cents, p.currency, t.id AS ticket_id, t.seat_id, s.section, s."row", s.number,
             s.label, t.price_cents
        FROM page p
        JOIN users u ON u.id = p.user_id
        LEFT JOIN tickets t ON t.order_id = p.id
        LEFT JOIN seats s ON s.id = t.seat_id
       ORDER BY p.created_at, p.id, s.section_position, s.section, s."row", s.number, t.id`);
    for (const r of rows) {
      yield {
        order_id: r.order_id,
        order_created_at: r.created_at.toISOString(),
        order_status: r.order_status,
        payment_status: r.payment_status,
        buyer_name: r.buyer_name,
        buyer_email: r.buyer_email,
        order_total_cents: r.total_cents,
        currency: r.currency,
        ticket_id: r.ticket_id,
        seat_id: r.seat_id,
        section: r.section,
        row: r.row,
        seat_number: r.number,
        seat_label: r.label,
        ticket_price_cents: r.price_cents,
      };
    }
    const last = rows.at(-1);
    const orders = new Set(rows.map((r) => r.order_id)).size;
    if (!last || orders < ORDERS_PER_PAGE) return;
    after = { createdAt: last.created_at, id: last.order_id };
  }
}

/**
 * The event's orders as a CSV stream (404 before any byte for an unknown event).
 * A failure after the first byte can only cut the stream short: the header is
 * gone, and the client sees the transfer end early (a truncated file).
 */
export async function ordersCsv(ctx: DomainContext, eventId: string, onError: (err: Error) => void) {
  const event = await ctx.db.event.findUnique({ where: { id: eventId }, select: { id: true } });
  if (!event) throw notFound('event');
  const csv = stringify({
    header: true,
    columns: [...ORDER_CSV_COLUMNS],
    // RFC 4180: CRLF between records; fields with a comma, quote or line break quoted.
    record_delimiter: 'windows',
    // A spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a
    // formula: such text (a buyer's name, say) is prefixed with ' and so shown as text.
    escape_formulas: true,
  });
  return pipeline(Readable.from(orderRows(ctx, eventId)), csv, (err) => err && onError(err));
}
