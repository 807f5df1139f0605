-- Webhooks (README, "Webhooks"): admins register endpoints; every change they
-- asked for is written to webhook_deliveries in the same transaction as the
-- change itself (a transactional outbox), and any replica sends it later.

CREATE TABLE "webhook_endpoints" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "url" TEXT NOT NULL,
  -- The HMAC-SHA256 key of X-Tickets-Signature; shown once, at creation.
  "secret" TEXT NOT NULL,
  "events" TEXT[] NOT NULL,
  "created_by" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "webhook_endpoints_events_check"
    CHECK (cardinality("events") > 0
           AND "events" <@ ARRAY['order.confirmed', 'order.cancelled', 'event.sold_out']::text[])
);

CREATE TABLE "webhook_deliveries" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "endpoint_id" UUID NOT NULL,
  "event_type" TEXT NOT NULL,
  "payload" JSONB NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  -- pending: to send (again) at next_attempt_at; delivered; failed: given up.
  "status" TEXT NOT NULL DEFAULT 'pending',
  -- Due time, and the sender's lease while it sends: a claim moves it past the
  -- attempt's time limit, so the delivery of a sender that died is due again then.
  "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "attempts" INTEGER NOT NULL DEFAULT 0,
  -- [{at, replica, status, error, ms}], one per attempt that ended.
  "attempt_log" JSONB NOT NULL DEFAULT '[]',
  "delivered_at" TIMESTAMPTZ(3),
  CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "webhook_deliveries_status_check" CHECK ("status" IN ('pending', 'delivered', 'failed')),
  CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id")
    REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" ("next_attempt_at")
  WHERE "status" = 'pending';
CREATE INDEX "webhook_deliveries_endpoint_idx" ON "webhook_deliveries" ("endpoint_id", "created_at" DESC);

-- One delivery of p_type per endpoint that asked for it, in the caller's transaction.
CREATE FUNCTION "tickets_webhook_enqueue"(p_type text, p_payload jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event_type, payload)
  SELECT e.id, p_type, p_payload FROM webhook_endpoints e WHERE p_type = ANY (e.events);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

-- event.sold_out when no seat of the event is available or held any more. Called
-- by a transaction that has just sold seats and holds the event row (the fence),
-- so exactly the sale of the last seat sees it (again after a cancellation put
-- seats back and they sold). Nothing is read when no endpoint asked for it.
CREATE FUNCTION "tickets_webhook_sold_out"(p_event uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_endpoints WHERE 'event.sold_out' = ANY (events))
     AND NOT EXISTS (SELECT 1 FROM seats WHERE event_id = p_event AND status IN ('available', 'held')) THEN
    PERFORM tickets_webhook_enqueue('event.sold_out',
      (SELECT jsonb_build_object('eventId', e.id, 'title', e.title, 'seatCount', e.seat_count, 'soldOutAt', now())
         FROM events e WHERE e.id = p_event));
  END IF;
END
$$;

-- The round's statement (migration 20261203000000) as before, plus the outbox:
-- order.confirmed for each new order and event.sold_out when the round sold the
-- last seat, in the same call. Same parameters and result.
CREATE OR REPLACE FUNCTION "tickets_sell_batch"(
  p_event uuid,
  p_epoch bigint,
  p_take_at bigint,
  p_replica text,
  p_created_at timestamptz,
  p_seat_ids uuid[],
  p_seat_orders uuid[],
  p_seat_prices integer[],
  p_order_ids uuid[],
  p_user_ids uuid[],
  p_totals integer[],
  p_payment_refs text[],
  p_keys text[],
  p_hashes text[],
  p_emails text[],
  p_details text[]
) RETURNS TABLE (sold_version bigint, sold_epoch bigint, event_currency text, event_title text, all_checked boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_max integer;
BEGIN
  WITH fence AS (
    UPDATE events SET seat_version = seat_version + 1,
           lock_epoch = lock_epoch + (CASE WHEN p_epoch IS NULL THEN 1 ELSE 0 END)
     WHERE id = p_event
       AND (CASE WHEN p_epoch IS NULL THEN seat_version = p_take_at ELSE lock_epoch = p_epoch END)
    RETURNING seat_version, lock_epoch, status, currency, title, max_tickets_per_customer
  ), sold AS (
    -- By primary key only: the event is checked on what was updated (below),
    -- so the plan never depends on how many seats the planner thinks an event has.
    UPDATE seats s SET status = 'sold', order_id = v.order_id, hold_id = NULL, updated_at = now()
      FROM unnest(p_seat_ids, p_seat_orders) AS v(id, order_id)
     WHERE s.id = v.id AND s.status = 'available' AND EXISTS (SELECT 1 FROM fence)
    RETURNING s.id, s.event_id
  ), new_orders AS (
    -- 'authorized' until the capture after COMMIT is recorded (capture-marks.ts).
    INSERT INTO orders (id, event_id, user_id, total_cents, currency, payment_ref, payment_status, created_at)
    SELECT v.id, p_event, v.user_id, v.total, f.currency, v.payment_ref, 'authorized', p_created_at
      FROM unnest(p_order_ids, p_user_ids, p_totals, p_payment_refs) AS v(id, user_id, total, payment_ref)
      CROSS JOIN fence f
    RETURNING id
  ), new_tickets AS (
    INSERT INTO tickets (order_id, event_id, seat_id, price_cents)
    SELECT v.order_id, p_event, v.seat_id, v.price
      FROM unnest(p_seat_orders, p_seat_ids, p_seat_prices) AS v(order_id, seat_id, price)
     WHERE EXISTS (SELECT 1 FROM fence)
    RETURNING id
  ), keys AS (
    INSERT INTO idempotency_records (user_id, key, request_hash, state, order_id)
    SELECT v.user_id, v.key, v.hash, 'completed', v.order_id
      FROM unnest(p_user_ids, p_keys, p_hashes, p_order_ids) AS v(user_id, key, hash, order_id)
     WHERE EXISTS (SELECT 1 FROM fence)
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING key
  ), logged AS (
    INSERT INTO audit_entries (replica, actor_id, actor, action, subject, detail)
    SELECT p_replica, v.actor_id, v.actor, 'order.create', 'order:' || v.order_id, v.detail::jsonb
      FROM unnest(p_user_ids, p_emails, p_order_ids, p_details) AS v(actor_id, actor, order_id, detail)
     WHERE EXISTS (SELECT 1 FROM fence)
    RETURNING id
  ), hooks AS (
    -- order.confirmed, one delivery per new order per endpoint that asked for it
    -- (a scan of a small table; nothing when no endpoint did).
    INSERT INTO webhook_deliveries (endpoint_id, event_type, payload)
    SELECT e.id, 'order.confirmed',
           jsonb_build_object('orderId', v.order_id, 'eventId', p_event, 'userId', v.user_id,
                              'email', v.email, 'totalCents', v.total, 'currency', f.currency,
                              'seatIds', v.detail::jsonb -> 'seatIds', 'createdAt', p_created_at)
      FROM webhook_endpoints e
      CROSS JOIN fence f
      CROSS JOIN unnest(p_order_ids, p_user_ids, p_emails, p_totals, p_details)
                 AS v(order_id, user_id, email, total, detail)
     WHERE 'order.confirmed' = ANY (e.events)
    RETURNING id
  )
  SELECT f.seat_version, f.lock_epoch, f.currency::text, f.title::text,
         -- (CASE checks in order, so the message names the first that failed.)
         CASE WHEN f.seat_version IS NULL THEN true
              WHEN f.status <> 'on_sale' THEN tickets_assert(false, 'tickets_batch_conflict:closed')
              WHEN (SELECT count(*) FROM sold WHERE sold.event_id = p_event) <> cardinality(p_seat_ids)
                THEN tickets_assert(false, 'tickets_batch_conflict:seats')
              WHEN (SELECT count(*) FROM keys) <> cardinality(p_order_ids)
                THEN tickets_assert(false, 'tickets_batch_conflict:keys')
              ELSE true END,
         f.max_tickets_per_customer
    INTO sold_version, sold_epoch, event_currency, event_title, all_checked, v_max
    FROM (SELECT 1) AS one LEFT JOIN fence f ON true;
  -- Only when the fence matched (else nothing was written).
  IF sold_version IS NOT NULL THEN
    PERFORM tickets_assert(
      NOT EXISTS (SELECT 1 FROM (SELECT DISTINCT b.id FROM unnest(p_user_ids) AS b(id)) AS buyer
                   WHERE tickets_customer_count(p_event, buyer.id) > v_max),
      'tickets_batch_conflict:limit');
    -- event.sold_out, when this round sold the last seat.
    IF cardinality(p_seat_ids) > 0 THEN
      PERFORM tickets_webhook_sold_out(p_event);
    END IF;
  END IF;
  RETURN NEXT;
END
$$;
