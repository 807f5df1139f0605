import { type Static, Type } from 'typebox';
import { DateTime, Id } from './common.ts';
import { MAX_LENGTH, PAGE_SIZE } from './limits.ts';

export const WebhookEventName = Type.Union(
  [Type.Literal('order.confirmed'), Type.Literal('order.cancelled'), Type.Literal('event.sold_out')],
  {
    description:
      'order.confirmed: an order was paid; order.cancelled: an admin cancelled one; event.sold_out: the last seat sold',
  },
);
export type WebhookEventName = Static<typeof WebhookEventName>;

export const CreateWebhookBody = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: MAX_LENGTH.webhookUrl,
      description:
        'http or https. Private, loopback and link-local addresses are refused (400) unless WEBHOOK_ALLOW_PRIVATE_TARGETS allows them; checked again on every send',
    }),
    events: Type.Array(WebhookEventName, { minItems: 1, maxItems: 3 }),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const Webhook = Type.Object({
  id: Id,
  url: Type.String(),
  events: Type.Array(Type.String()),
  createdAt: DateTime,
});
export type Webhook = Static<typeof Webhook>;

export const CreatedWebhook = Type.Intersect([
  Webhook,
  Type.Object({
    secret: Type.String({
      description:
        'Shown only now. Each delivery carries X-Tickets-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>',
    }),
  }),
]);
export type CreatedWebhook = Static<typeof CreatedWebhook>;

export const WebhookListItem = Type.Intersect([
  Webhook,
  Type.Object({ pendingCount: Type.Integer(), failedCount: Type.Integer() }),
]);
export type WebhookListItem = Static<typeof WebhookListItem>;

export const WebhookParams = Type.Object({ webhookId: Id }, { additionalProperties: false });

export const DeliveriesQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_SIZE.deliveries.max })) },
  { additionalProperties: false },
);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

export const WebhookDelivery = Type.Object({
  id: Type.String({
    description: 'Also the X-Tickets-Delivery header: the same on every attempt; deduplicate by it',
  }),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  createdAt: DateTime,
  nextAttemptAt: Type.Union([DateTime, Type.Null()]),
  deliveredAt: Type.Union([DateTime, Type.Null()]),
  payload: Type.Record(Type.String(), Type.Unknown()),
  attemptLog: Type.Array(
    Type.Object({
      at: DateTime,
      replica: Type.String(),
      status: Type.Union([Type.Integer(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
      ms: Type.Integer(),
    }),
  ),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;
