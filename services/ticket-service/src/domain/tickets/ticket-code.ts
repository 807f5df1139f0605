// Ticket codes: what the QR code on a ticket says, and what the door checks.
//
//   t1.<ticket id, 16 bytes base64url>.<HMAC-SHA256 of "ticket:v1:<ticket id>", first 16 bytes, base64url>
//
// 47 characters. Nobody can make one without the key: the MAC is 128 bits, so a
// guess is right with probability 2^-128, and a seat id or ticket id alone (which
// anyone who saw the seat map or an order may know) proves nothing. Codes are
// derived, never stored: an order read computes them (one HMAC per ticket), and a
// purchase does no work for them. The key comes from TICKET_CODE_SECRET when set,
// else from JWT_SECRET, in both cases through HKDF under a label of its own, so
// that no other token of the service can pass for a ticket code. Changing the
// secret the key comes from voids every code already shown (README, "Tickets at
// the door").
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const CODE = /^t1\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;
const MAC_BYTES = 16;

export interface TicketCodes {
  /** The code of the ticket with this id (a uuid). */
  sign(ticketId: string): string;
  /** The ticket id a genuine code names; undefined for anything else. */
  verify(code: string): string | undefined;
}

export function ticketCodeKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tickets', 'ticket-code v1', 32));
}

const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');

function uuidOf(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function createTicketCodes(key: Buffer): TicketCodes {
  const mac = (id: string) =>
    createHmac('sha256', key).update(`ticket:v1:${id}`).digest().subarray(0, MAC_BYTES);
  return {
    sign: (ticketId) => {
      const id = ticketId.toLowerCase();
      return `t1.${uuidBytes(id).toString('base64url')}.${mac(id).toString('base64url')}`;
    },
    verify(code) {
      const parts = CODE.exec(code.trim());
      if (!parts) return undefined;
      const idBytes = Buffer.from(parts[1] as string, 'base64url');
      const given = Buffer.from(parts[2] as string, 'base64url');
      if (idBytes.length !== 16 || given.length !== MAC_BYTES) return undefined;
      const id = uuidOf(idBytes);
      // Only the canonical spelling: a code is one string, not several that decode alike.
      if (parts[1] !== idBytes.toString('base64url') || parts[2] !== given.toString('base64url')) {
        return undefined;
      }
      return timingSafeEqual(given, mac(id)) ? id : undefined;
    },
  };
}

/**
 * A purchase's answer, first or replayed: without tickets. The first answer is
 * built without reading them back (no work for codes on the purchase path), and
 * a replay must be the same; GET /orders/:orderId has them.
 */
export function purchaseAnswer<O extends { tickets?: unknown }>(order: O): Omit<O, 'tickets'> {
  const { tickets: _tickets, ...answer } = order;
  return answer;
}

/** An order view with each ticket's code added (the owner's or an admin's view only). */
export function withTicketCodes<O extends { tickets?: { id: string }[] }>(codes: TicketCodes, order: O): O {
  if (!order.tickets) return order;
  return { ...order, tickets: order.tickets.map((t) => ({ ...t, code: codes.sign(t.id) })) };
}
