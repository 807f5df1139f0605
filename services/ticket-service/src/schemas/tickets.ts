import { Type } from 'typebox';
import { DateTime, Id, Text } from './common.ts';

export const CheckInBody = Type.Object(
  {
    code: Text({
      minLength: 1,
      maxLength: 200,
      description: "the ticket's code as its QR code shows it (t1.…)",
    }),
  },
  { additionalProperties: false },
);

export const CheckInSeat = Type.Object({
  id: Id,
  section: Type.String(),
  row: Type.Integer(),
  number: Type.Integer(),
  label: Type.String(),
});

export const CheckIn = Type.Object({
  ticket: Type.Object({ id: Id, orderId: Id, eventId: Id, priceCents: Type.Integer() }),
  seat: CheckInSeat,
  checkedInAt: DateTime,
});
