// Creates an event and every seat of its layout in one transaction. Seats are
// generated inside Postgres, one INSERT … SELECT per section, so a 20,000-seat
// arena costs a handful of statements rather than 20,000 round trips.
import type { CreateEventBody, Section } from '@tickets/contract/events';
import { MAX_SEATS_PER_EVENT } from '@tickets/contract/limits';
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import type { Actor, DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { checkDateTime } from './date-time.ts';
import { eventViews } from './event-view.ts';
import { salesColumns } from './sales-settings.ts';

function checkLayout(sections: Section[]): number {
  const names = new Set<string>();
  const errors: { path: string; message: string }[] = [];
  let seats = 0;
  sections.forEach((s, i) => {
    const name = s.name.trim();
    if (!name) errors.push({ path: `body/layout/sections/${i}/name`, message: 'must not be blank' });
    if (names.has(name))
      errors.push({ path: `body/layout/sections/${i}/name`, message: 'duplicate section name' });
    names.add(name);
    seats += s.rows * s.seatsPerRow;
  });
  if (seats > MAX_SEATS_PER_EVENT) {
    errors.push({ path: 'body/layout', message: `at most ${MAX_SEATS_PER_EVENT} seats per event` });
  }
  if (errors.length) throw new AppError('VALIDATION_FAILED', 'The layout is not valid.', { errors });
  return seats;
}

export async function createEvent(ctx: DomainContext, actor: Actor, input: CreateEventBody) {
  const seatCount = checkLayout(input.layout.sections);
  const startsAt = checkDateTime(input.startsAt, 'startsAt', 'The start time');
  const sales = salesColumns(input);
  return ctx.db.$transaction(
    async (tx) => {
      // Writing up to 100,000 seats can outlast the pool's statement_timeout
      // (a bound meant for the purchase path) on a loaded machine: this
      // transaction alone gets as long as Prisma gives it.
      await tx.$executeRaw`SET LOCAL statement_timeout = '60s'`;
      const event = await tx.event.create({
        data: {
          title: input.title.trim(),
          description: input.description ?? '',
          venue: input.venue.trim(),
          startsAt,
          currency: input.currency,
          seatCount,
          createdById: actor.id,
          ...sales,
          ...(input.maxTicketsPerCustomer !== undefined
            ? { maxTicketsPerCustomer: input.maxTicketsPerCustomer }
            : {}),
          // The admission clock's row (domain/waiting-room/join-queue.ts).
          ...(input.waitingRoom ? { waitingRoom: { create: {} } } : {}),
        },
      });
      // Each seat keeps its section's place in the layout: sections are shown
      // and preferred in the order the organiser gave them, not by name.
      for (const [position, s] of input.layout.sections.entries()) {
        const section = s.name.trim();
        await tx.$executeRaw(Prisma.sql`
          INSERT INTO seats (event_id, section, section_position, "row", number, label, price_cents)
          SELECT ${event.id}::uuid, ${section}, ${position}::smallint, r, n, ${section} || ' · Row ' || r || ' · Seat ' || n, ${s.priceCents}
            FROM generate_series(1, ${s.rows}::int) AS r, generate_series(1, ${s.seatsPerRow}::int) AS n`);
      }
      await recordAudit(tx, ctx.replica, {
        actor,
        action: 'event.create',
        subject: `event:${event.id}`,
        detail: {
          title: event.title,
          seatCount,
          sections: input.layout.sections.length,
          maxTicketsPerCustomer: event.maxTicketsPerCustomer,
          ...(input.salesStartAt ? { salesStartAt: input.salesStartAt } : {}),
          ...(input.waitingRoom ? { waitingRoom: input.waitingRoom } : {}),
        },
      });
      const [view] = await eventViews(tx, [event]);
      return view as NonNullable<typeof view>;
    },
    { timeout: 60_000 },
  );
}
