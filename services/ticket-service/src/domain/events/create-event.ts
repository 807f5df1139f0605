// Creates an event and every seat of its layout in one transaction. Seats are
// generated inside Postgres, one INSERT … SELECT per section, so a 20,000-seat
// arena costs a handful of statements rather than 20,000 round trips.
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import type { Actor, DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { eventViews } from './event-view.ts';

export const MAX_SEATS_PER_EVENT = 100_000;

export interface SectionLayout {
  name: string;
  rows: number;
  seatsPerRow: number;
  priceCents: number;
}

export interface NewEvent {
  title: string;
  description?: string;
  venue: string;
  startsAt: string;
  currency: string;
  layout: { sections: SectionLayout[] };
}

function checkLayout(sections: SectionLayout[]): number {
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

function checkStart(value: string): Date {
  const startsAt = new Date(value);
  const year = startsAt.getUTCFullYear();
  // "date-time" admits leap seconds and year 0, which neither JavaScript nor
  // Postgres can store.
  if (Number.isNaN(startsAt.getTime()) || year < 2000 || year > 9999) {
    throw new AppError('VALIDATION_FAILED', 'The start time is not valid.', {
      errors: [{ path: 'body/startsAt', message: 'must be a date-time between the years 2000 and 9999' }],
    });
  }
  return startsAt;
}

export async function createEvent(ctx: DomainContext, actor: Actor, input: NewEvent) {
  const seatCount = checkLayout(input.layout.sections);
  const startsAt = checkStart(input.startsAt);
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
        },
      });
      for (const s of input.layout.sections) {
        const section = s.name.trim();
        await tx.$executeRaw(Prisma.sql`
          INSERT INTO seats (event_id, section, "row", number, label, price_cents)
          SELECT ${event.id}::uuid, ${section}, r, n, ${section} || ' · Row ' || r || ' · Seat ' || n, ${s.priceCents}
            FROM generate_series(1, ${s.rows}::int) AS r, generate_series(1, ${s.seatsPerRow}::int) AS n`);
      }
      await recordAudit(tx, ctx.replica, {
        actor,
        action: 'event.create',
        subject: `event:${event.id}`,
        detail: { title: event.title, seatCount, sections: input.layout.sections.length },
      });
      const [view] = await eventViews(tx, [event]);
      return view as NonNullable<typeof view>;
    },
    { timeout: 60_000 },
  );
}
