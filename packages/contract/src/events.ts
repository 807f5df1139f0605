import { type Static, Type } from 'typebox';
import { Currency, DateTime, Id, Label, Text } from './common.ts';
import { MAX_LENGTH, MAX_SECTIONS, PAGE_SIZE, SECTION, TICKETS_PER_CUSTOMER } from './limits.ts';
import { SalesStartAt, WaitingRoom } from './waiting-room.ts';

/** Tickets plus held seats one customer may have for the event (README, "Per-customer limits"). */
const MaxTicketsPerCustomer = (options: { default?: number } = {}) =>
  Type.Integer({
    minimum: TICKETS_PER_CUSTOMER.min,
    maximum: TICKETS_PER_CUSTOMER.max,
    description:
      'tickets plus seats in active holds one customer may have for this event (409 LIMIT_EXCEEDED)',
    ...options,
  });

export const EventStatus = Type.Union([Type.Literal('on_sale'), Type.Literal('closed')]);
export type EventStatus = Static<typeof EventStatus>;
export const SeatStatus = Type.Union([Type.Literal('available'), Type.Literal('held'), Type.Literal('sold')]);
export type SeatStatus = Static<typeof SeatStatus>;

export const Event = Type.Object({
  id: Id,
  title: Type.String(),
  description: Type.String(),
  venue: Type.String(),
  startsAt: DateTime,
  currency: Type.String(),
  status: EventStatus,
  seatCount: Type.Integer(),
  availableCount: Type.Integer(),
  minPriceCents: Type.Integer(),
  maxPriceCents: Type.Integer(),
  salesStartAt: SalesStartAt,
  waitingRoom: Type.Union([WaitingRoom, Type.Null()], { description: 'null: never had one' }),
  maxTicketsPerCustomer: MaxTicketsPerCustomer(),
  imageUrl: Type.Union([Type.String(), Type.Null()], {
    description: "the event's image (GET it); changes whenever the image does. null: no image",
  }),
});
export type Event = Static<typeof Event>;

export const Sales = Type.Object({
  soldCount: Type.Integer(),
  heldCount: Type.Integer(),
  availableCount: Type.Integer(),
  orderCount: Type.Integer(),
  revenueCents: Type.Integer(),
});
export type Sales = Static<typeof Sales>;

export const AdminEvent = Type.Intersect([Event, Type.Object({ sales: Sales })]);
export type AdminEvent = Static<typeof AdminEvent>;

export const Seat = Type.Object({
  id: Id,
  section: Type.String(),
  row: Type.Integer(),
  number: Type.Integer(),
  label: Type.String(),
  priceCents: Type.Integer(),
  status: SeatStatus,
});
export type Seat = Static<typeof Seat>;

export const SeatMap = Type.Object({
  eventId: Id,
  version: Type.Integer({ description: 'grows with every change to the seats of this event' }),
  seats: Type.Array(Seat),
});
export type SeatMap = Static<typeof SeatMap>;

export const EventList = Type.Object({
  items: Type.Array(Event),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type EventList = Static<typeof EventList>;

export const EventListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: PAGE_SIZE.events.max, default: PAGE_SIZE.events.default }),
    ),
    cursor: Type.Optional(Text({ maxLength: MAX_LENGTH.cursor })),
  },
  { additionalProperties: false },
);
export type EventListQuery = Static<typeof EventListQuery>;

export const Section = Type.Object(
  {
    name: Label(MAX_LENGTH.sectionName),
    rows: Type.Integer({ minimum: 1, maximum: SECTION.maxRows }),
    seatsPerRow: Type.Integer({ minimum: 1, maximum: SECTION.maxSeatsPerRow }),
    priceCents: Type.Integer({ minimum: 0, maximum: SECTION.maxPriceCents }),
  },
  { additionalProperties: false },
);
export type Section = Static<typeof Section>;

export const CreateEventBody = Type.Object(
  {
    title: Label(MAX_LENGTH.eventTitle),
    description: Type.Optional(Text({ maxLength: MAX_LENGTH.description })),
    venue: Label(MAX_LENGTH.venue),
    startsAt: DateTime,
    currency: Currency,
    salesStartAt: Type.Optional(SalesStartAt),
    waitingRoom: Type.Optional(WaitingRoom),
    maxTicketsPerCustomer: Type.Optional(MaxTicketsPerCustomer({ default: TICKETS_PER_CUSTOMER.default })),
    layout: Type.Object(
      { sections: Type.Array(Section, { minItems: 1, maxItems: MAX_SECTIONS }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type CreateEventBody = Static<typeof CreateEventBody>;

export const PatchEventBody = Type.Object(
  {
    status: Type.Optional(EventStatus),
    salesStartAt: Type.Optional(SalesStartAt),
    waitingRoom: Type.Optional(WaitingRoom),
    maxTicketsPerCustomer: Type.Optional(MaxTicketsPerCustomer()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchEventBody = Static<typeof PatchEventBody>;

export const OrderSeat = Type.Object({ id: Id, label: Type.String(), priceCents: Type.Integer() });
export type OrderSeat = Static<typeof OrderSeat>;

/** A ticket as its owner (or an admin) sees it; `code` is what its QR code says. */
export const OrderTicket = Type.Object({
  id: Id,
  seatId: Id,
  label: Type.String(),
  code: Type.Optional(
    Type.String({
      description:
        'signed ticket code (t1.…), what the QR code says; the door checks it with POST /admin/events/:eventId/check-in',
    }),
  ),
  checkedInAt: Type.Union([DateTime, Type.Null()]),
});
export type OrderTicket = Static<typeof OrderTicket>;

export const Order = Type.Object({
  id: Id,
  eventId: Id,
  eventTitle: Type.String(),
  seats: Type.Array(OrderSeat),
  // Reads of orders (GET /orders, /orders/:id, an event's orders) carry them; a
  // purchase's own answer does not (no work for codes on the purchase path).
  tickets: Type.Optional(Type.Array(OrderTicket)),
  totalCents: Type.Integer(),
  currency: Type.String(),
  status: Type.Union([Type.Literal('confirmed'), Type.Literal('cancelled')], {
    description: 'cancelled: by an admin; its seats went back on sale and the payment is refunded',
  }),
  createdAt: DateTime,
  /** Only on a cancelled order. */
  cancelledAt: Type.Optional(DateTime),
});
export type Order = Static<typeof Order>;

export const AdminOrder = Type.Intersect([Order, Type.Object({ userEmail: Type.String() })]);
export type AdminOrder = Static<typeof AdminOrder>;
