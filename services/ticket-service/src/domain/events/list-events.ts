import type { EventStatus } from '../../generated/prisma/client.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { eventViews } from './event-view.ts';

// The cursor is the position of the last event of the page before (keyset, not
// an offset): events created or removed while a client pages through the list
// then never make an event come twice or be skipped, as an offset would when an
// event is added ahead of it. (An event whose status changes meanwhile moves in
// the order, and may be seen in both places.)
type Position = { status: EventStatus; startsAt: Date; id: string };

// In the enum's declared order, which is the list's: on sale first.
const STATUS_ORDER: EventStatus[] = ['on_sale', 'closed'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const encodeCursor = (p: Position) =>
  Buffer.from(JSON.stringify([p.status, p.startsAt.toISOString(), p.id])).toString('base64url');

function decodeCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined;
  const refuse = () =>
    new AppError('VALIDATION_FAILED', 'The cursor is not valid.', {
      errors: [{ path: 'querystring/cursor', message: 'unknown cursor' }],
    });
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parts) || parts.length !== 3) throw refuse();
  const [status, startsAt, id] = parts as [unknown, unknown, unknown];
  if (!STATUS_ORDER.includes(status as EventStatus) || typeof startsAt !== 'string' || typeof id !== 'string')
    throw refuse();
  const position = { status: status as EventStatus, startsAt: new Date(startsAt), id };
  // Only a cursor this service wrote: the same text back, a real time, a real id.
  if (!UUID.test(id) || Number.isNaN(position.startsAt.getTime()) || encodeCursor(position) !== cursor)
    throw refuse();
  return position;
}

/** Events after `p` in the list's order (status, then start, then id). */
function after(p: Position) {
  return {
    OR: [
      { status: { in: STATUS_ORDER.slice(STATUS_ORDER.indexOf(p.status) + 1) } },
      { status: p.status, startsAt: { gt: p.startsAt } },
      { status: p.status, startsAt: p.startsAt, id: { gt: p.id } },
    ],
  };
}

/** Upcoming events, those on sale first, then by start time. */
export async function listEvents(ctx: DomainContext, input: { limit: number; cursor?: string }) {
  const from = decodeCursor(input.cursor);
  const rows = await ctx.db.event.findMany({
    where: {
      startsAt: { gte: new Date(Date.now() - 6 * 3600_000) },
      ...(from ? after(from) : {}),
    },
    orderBy: [{ status: 'asc' }, { startsAt: 'asc' }, { id: 'asc' }],
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: await eventViews(ctx.db, page),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null,
  };
}

export async function getEvent(ctx: DomainContext, eventId: string) {
  const event = await ctx.db.event.findUnique({ where: { id: eventId } });
  if (!event) throw notFound('event');
  const [view] = await eventViews(ctx.db, [event]);
  return view as NonNullable<typeof view>;
}
