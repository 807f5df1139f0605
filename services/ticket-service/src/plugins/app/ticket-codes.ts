// The key of the ticket codes (domain/tickets/ticket-code.ts), the same on every
// replica: derived from TICKET_CODE_SECRET, or JWT_SECRET when that is not set.
import fp from 'fastify-plugin';
import { createTicketCodes, type TicketCodes, ticketCodeKey } from '../../domain/tickets/ticket-code.ts';

declare module 'fastify' {
  interface FastifyInstance {
    ticketCodes: TicketCodes;
  }
}

export default fp(
  async (app) => {
    const secret = app.config.ticketCodeSecret ?? app.config.jwtSecret;
    app.decorate('ticketCodes', createTicketCodes(ticketCodeKey(secret)));
  },
  { name: 'ticket-codes', dependencies: ['config'] },
);
