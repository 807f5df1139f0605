import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { eventViews } from './event-view.ts';

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const text = Buffer.from(cursor, 'base64url').toString();
  const offset = Number(text);
  if (!/^\d{1,9}$/.test(text) || encodeCursor(offset) !== cursor) {
    throw new AppError('VALIDATION_FAILED', 'The cursor is not valid.', {
      errors: [{ path: 'querystring/cursor', message: 'unknown cursor' }],
    });
  }
  return offset;
}

const encodeCursor = (offset: number) => Buffer.from(String(offset)).toString('base64url');

/** Upcoming events, those on sale first, then by start time. */
export async function listEvents(ctx: DomainContext, input: { limit: number; cursor?: string }) {
  const offset = decodeCursor(input.cursor);
  const rows = await ctx.db.event.findMany({
    where: { startsAt: { gte: new Date(Date.now() - 6 * 3600_000) } },
    // 'on_sale' sorts before 'closed' in the enum's declared order.
    orderBy: [{ status: 'asc' }, { startsAt: 'asc' }, { id: 'asc' }],
    skip: offset,
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  return {
    items: await eventViews(ctx.db, page),
    nextCursor: rows.length > input.limit ? encodeCursor(offset + input.limit) : null,
  };
}

export async function getEvent(ctx: DomainContext, eventId: string) {
  const event = await ctx.db.event.findUnique({ where: { id: eventId } });
  if (!event) throw notFound('event');
  const [view] = await eventViews(ctx.db, [event]);
  return view as NonNullable<typeof view>;
}
