import { Type } from 'typebox';
import { Currency, DateTime, Id, Label, Text } from './common.ts';
import { SalesStartAt, WaitingRoom } from './waiting-room.ts';

/** Tickets plus held seats one customer may have for the event (README, "Per-customer limits"). */
const MaxTicketsPerCustomer = (options: { default?: number } = {}) =>
  Type.Integer({
    minimum: 1,
    maximum: 100,
    description:
      'tickets plus seats in active holds one customer may have for this event (409 LIMIT_EXCEEDED)',
    ...options,
  });

export const EventStatus = Type.Union([Type.Literal('on_sale'), Type.Literal('closed')]);
export const SeatStatus = Type.Union([Type.Literal('available'), Type.Literal('held'), Type.Literal('sold')]);

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

export const Sales = Type.Object({
  soldCount: Type.Integer(),
  heldCount: Type.Integer(),
  availableCount: Type.Integer(),
  orderCount: Type.Integer(),
  revenueCents: Type.Integer(),
});

export const AdminEvent = Type.Intersect([Event, Type.Object({ sales: Sales })]);

export const Seat = Type.Object({
  id: Id,
  section: Type.String(),
  row: Type.Integer(),
  number: Type.Integer(),
  label: Type.String(),
  priceCents: Type.Integer(),
  status: SeatStatus,
});

export const SeatMap = Type.Object({
  eventId: Id,
  version: Type.Integer({ description: 'grows with every change to the seats of this event' }),
  seats: Type.Array(Seat),
});

export const EventList = Type.Object({
  items: Type.Array(Event),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const EventListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Text({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const Section = Type.Object(
  {
    name: Label(60),
    rows: Type.Integer({ minimum: 1, maximum: 500 }),
    seatsPerRow: Type.Integer({ minimum: 1, maximum: 500 }),
    priceCents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
  },
  { additionalProperties: false },
);

export const CreateEventBody = Type.Object(
  {
    title: Label(200),
    description: Type.Optional(Text({ maxLength: 5000 })),
    venue: Label(200),
    startsAt: DateTime,
    currency: Currency,
    salesStartAt: Type.Optional(SalesStartAt),
    waitingRoom: Type.Optional(WaitingRoom),
    maxTicketsPerCustomer: Type.Optional(MaxTicketsPerCustomer({ default: 10 })),
    layout: Type.Object(
      { sections: Type.Array(Section, { minItems: 1, maxItems: 100 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const PatchEventBody = Type.Object(
  {
    status: Type.Optional(EventStatus),
    salesStartAt: Type.Optional(SalesStartAt),
    waitingRoom: Type.Optional(WaitingRoom),
    maxTicketsPerCustomer: Type.Optional(MaxTicketsPerCustomer()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const OrderSeat = Type.Object({ id: Id, label: Type.String(), priceCents: Type.Integer() });

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

export const AdminOrder = Type.Intersect([Order, Type.Object({ userEmail: Type.String() })]);
