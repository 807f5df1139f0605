// The new-event form as typed (text, as the fields hold it), what the server
// would refuse in it, and the request it becomes.

import type { CreateEventBody } from '@tickets/contract/events';
import {
  ADMIT_PER_MINUTE,
  MAX_SEATS_PER_EVENT,
  SECTION,
  TICKETS_PER_CUSTOMER,
} from '@tickets/contract/limits';
import { minorDigits } from '../../format.ts';
import { imageProblem } from './event-image.tsx';

export interface SectionDraft {
  key: number;
  name: string;
  rows: string;
  seatsPerRow: string;
  price: string;
}

export interface EventDraft {
  title: string;
  venue: string;
  description: string;
  startsAt: string;
  currency: string;
  salesStartAt: string;
  waitingRoom: boolean;
  admitPerMinute: string;
  perCustomer: string;
  image: File | null;
}

let nextKey = 1;
export const draft = (name: string, rows: number, seatsPerRow: number, price: string): SectionDraft => ({
  key: nextKey++,
  name,
  rows: String(rows),
  seatsPerRow: String(seatsPerRow),
  price,
});

/** Next week at 20:00, as a datetime-local value. */
function defaultStart(): string {
  const d = new Date(Date.now() + 7 * 86400_000);
  d.setHours(20, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T20:00`;
}

export const emptyEvent = (): EventDraft => ({
  title: '',
  venue: '',
  description: '',
  startsAt: defaultStart(),
  currency: 'EUR',
  salesStartAt: '',
  waitingRoom: false,
  admitPerMinute: '100',
  perCustomer: String(TICKETS_PER_CUSTOMER.default),
  image: null,
});

export const int = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : Number.NaN);

export function toCents(text: string, currency: string): number {
  const value = Number(text.replace(',', '.'));
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) return Number.NaN;
  return Math.round(value * 10 ** minorDigits(currency));
}

/** Seats in a section as typed, 0 while its numbers are not whole numbers. */
export const seatsOf = (s: SectionDraft) => (int(s.rows) || 0) * (int(s.seatsPerRow) || 0);

/** Problems of the layout the server would refuse, found before sending. */
function layoutProblems(sections: SectionDraft[], currency: string): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  let seats = 0;
  sections.forEach((s, i) => {
    const label = `Section ${i + 1}`;
    const name = s.name.trim();
    if (!name) problems.push(`${label} needs a name.`);
    else if (names.has(name)) problems.push(`${label}: another section is already called “${name}”.`);
    names.add(name);
    const rows = int(s.rows);
    const perRow = int(s.seatsPerRow);
    if (!(rows >= 1 && rows <= SECTION.maxRows))
      problems.push(`${label}: rows must be a whole number from 1 to ${SECTION.maxRows}.`);
    if (!(perRow >= 1 && perRow <= SECTION.maxSeatsPerRow))
      problems.push(`${label}: seats per row must be a whole number from 1 to ${SECTION.maxSeatsPerRow}.`);
    if (Number.isNaN(toCents(s.price, currency))) problems.push(`${label}: the price must be 0 or more.`);
    if (rows > 0 && perRow > 0) seats += rows * perRow;
  });
  if (seats > MAX_SEATS_PER_EVENT)
    problems.push(`An event can have at most ${MAX_SEATS_PER_EVENT.toLocaleString()} seats.`);
  return problems;
}

/** Everything the server would refuse, in the order of the form. */
export function problemsOf(event: EventDraft, sections: SectionDraft[]): string[] {
  const problems = layoutProblems(sections, event.currency);
  if (Number.isNaN(new Date(event.startsAt).getTime()))
    problems.unshift('Please enter when the event starts.');
  if (event.salesStartAt && Number.isNaN(new Date(event.salesStartAt).getTime()))
    problems.push('The sales opening is not a valid date and time (or leave it empty to open at once).');
  const maxPerCustomer = int(event.perCustomer);
  if (!(maxPerCustomer >= TICKETS_PER_CUSTOMER.min && maxPerCustomer <= TICKETS_PER_CUSTOMER.max))
    problems.push(
      `Tickets per customer must be a whole number from ${TICKETS_PER_CUSTOMER.min} to ${TICKETS_PER_CUSTOMER.max}.`,
    );
  const badImage = imageProblem(event.image);
  if (badImage) problems.push(badImage);
  const rate = int(event.admitPerMinute);
  if (event.waitingRoom && !(rate >= ADMIT_PER_MINUTE.min && rate <= ADMIT_PER_MINUTE.max))
    problems.push(
      `Customers let in per minute must be a whole number from ${ADMIT_PER_MINUTE.min} to ${ADMIT_PER_MINUTE.max.toLocaleString('en')}.`,
    );
  return problems;
}

/** The request for a form without problems. */
export function createRequest(event: EventDraft, sections: SectionDraft[]): CreateEventBody {
  const { currency, salesStartAt, waitingRoom } = event;
  return {
    title: event.title.trim(),
    venue: event.venue.trim(),
    description: event.description.trim(),
    startsAt: new Date(event.startsAt).toISOString(),
    currency,
    ...(salesStartAt ? { salesStartAt: new Date(salesStartAt).toISOString() } : {}),
    ...(waitingRoom ? { waitingRoom: { enabled: true, admitPerMinute: int(event.admitPerMinute) } } : {}),
    maxTicketsPerCustomer: int(event.perCustomer),
    layout: {
      sections: sections.map((s) => ({
        name: s.name.trim(),
        rows: int(s.rows),
        seatsPerRow: int(s.seatsPerRow),
        priceCents: toCents(s.price, currency),
      })),
    },
  };
}
