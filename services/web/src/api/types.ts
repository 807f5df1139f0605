// The shapes of the public API: the contract's own types (@tickets/contract, whose
// schemas the service validates with and makes its OpenAPI document from). Types
// only, erased from the bundle: the client never loads the schemas themselves.

import type { Problem as ContractProblem } from '@tickets/contract/common';
import type { SeatStatus } from '@tickets/contract/events';
import type { CheckIn } from '@tickets/contract/tickets';

export type { AuthResult, User } from '@tickets/contract/accounts';
export type { AuditEntry } from '@tickets/contract/audit';
export type { Role } from '@tickets/contract/common';
export type {
  AdminEvent,
  AdminOrder,
  Event as TicketEvent,
  Order,
  Seat,
  SeatMap,
  SeatStatus,
} from '@tickets/contract/events';
export type { Hold } from '@tickets/contract/purchase';
export type { CheckIn } from '@tickets/contract/tickets';
export type { QueueState } from '@tickets/contract/waiting-room';
export type { CreatedWebhook, WebhookEventName, WebhookListItem } from '@tickets/contract/webhooks';

/** One message of GET /events/:id/stream (`event: seats`). */
export interface SeatChanges {
  version: number;
  changes: { id: string; status: SeatStatus }[];
}

export interface Page<T> {
  items: T[];
}

/** RFC 9457 problem details as the API sends them, with the members some codes add. */
export interface Problem extends ContractProblem {
  errors?: { path?: string; message?: string; field?: string }[];
  unavailable?: string[];
  /** ADMISSION_REQUIRED: why the token was refused. */
  reason?: 'missing' | 'invalid' | 'expired';
  /** LIMIT_EXCEEDED: how many more tickets this customer may still get, under the event's limit. */
  remaining?: number;
  maxTicketsPerCustomer?: number;
  /** ALREADY_CHECKED_IN: when the ticket was admitted first. */
  checkedInAt?: string;
  /** ALREADY_CHECKED_IN, TICKET_CANCELLED: the ticket's seat. */
  seat?: CheckIn['seat'];
}
