-- Per-customer limits (README, "Per-customer limits"): the tickets a customer has
-- bought for an event (orders not cancelled) plus the seats their active holds
-- keep never exceed the event's max_tickets_per_customer. The service decides it
-- under the event lock from its seat view (or one read); the database checks it
-- again in the round's own statement and in every hold's transaction.

-- A constant default rewrites no rows: every existing event gets 10.
ALTER TABLE "events"
  ADD COLUMN "max_tickets_per_customer" INTEGER NOT NULL DEFAULT 10,
  ADD CONSTRAINT "events_max_tickets_per_customer_check"
    CHECK ("max_tickets_per_customer" BETWEEN 1 AND 100);

-- What counts against the limit, defined once: the read of a round whose view is
-- not exact, the round's own assertion and holds all call this. PL/pgSQL, so that
-- its plans are kept per connection. Index probes only: a customer's orders
-- (orders_user_id_created_at_idx), their tickets (tickets_order_id_idx) and holds
-- (holds_user_id_idx).
CREATE FUNCTION "tickets_customer_count"(p_event uuid, p_user uuid) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT count(*) FROM orders o JOIN tickets t ON t.order_id = o.id
           WHERE o.user_id = p_user AND o.event_id = p_event AND o.status <> 'cancelled')
       + (SELECT coalesce(sum(cardinality(h.seat_ids)), 0) FROM holds h
           WHERE h.user_id = p_user AND h.event_id = p_event AND h.status = 'active');
END
$$;

-- The round's statement (migration 20261201003000) as before, and then, in the
-- same call, the safety net for the limit: once the round's rows are in, no buyer
-- of the round may have more than the event allows. The check is a statement of
-- its own inside the function, so it sees the round's writes and everything
-- committed before it (the fence holds the event row, so nothing of this event
-- commits meanwhile); when it fails, it raises (tickets_assert, SQLSTATE 40001)
-- and nothing of the round stays. The service then decides the round again from
-- the database (sell-batch.ts). Same parameters and result: the service's call
-- does not change.
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
  END IF;
  RETURN NEXT;
END
$$;
