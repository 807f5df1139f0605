import { type Static, Type } from 'typebox';
import { DateTime, Id, Text } from './common.ts';
import { MAX_LENGTH } from './limits.ts';

export const CheckInBody = Type.Object(
  {
    code: Text({
      minLength: 1,
      maxLength: MAX_LENGTH.checkInCode,
      description: "the ticket's code as its QR code shows it (t1.…)",
    }),
  },
  { additionalProperties: false },
);
export type CheckInBody = Static<typeof CheckInBody>;

export const CheckInSeat = Type.Object({
  id: Id,
  section: Type.String(),
  row: Type.Integer(),
  number: Type.Integer(),
  label: Type.String(),
});
export type CheckInSeat = Static<typeof CheckInSeat>;

export const CheckIn = Type.Object({
  ticket: Type.Object({ id: Id, orderId: Id, eventId: Id, priceCents: Type.Integer() }),
  seat: CheckInSeat,
  checkedInAt: DateTime,
});
export type CheckIn = Static<typeof CheckIn>;
