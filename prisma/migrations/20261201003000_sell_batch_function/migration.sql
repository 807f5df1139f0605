-- One round of one-step purchases (domain/purchase/sell-batch.ts) as a function,
-- so that PostgreSQL plans its statement once per connection. A statement sent on
-- its own, as Prisma sends raw SQL, is parsed and planned on every execution:
-- for this one that cost about half as much again as running it, and when an event
-- is not hot a round is one or two purchases. PL/pgSQL keeps the plan of each
-- statement it runs (for the session), so a call plans nothing after the first few.
--
-- The body is the statement the service sends for a round; the round's rows come
-- as parallel arrays. Every part runs exactly once (data-modifying CTEs always
-- do) and does nothing unless the fence matched; the foreign keys of tickets are
-- checked at the end of the statement, after the orders are in. The fence is the
-- hold's epoch (p_epoch), or, for a hold's first write, "take the next epoch if
-- the event is at this version" (p_take_at). The result's last column raises
-- (tickets_assert, SQLSTATE 40001) unless sales are open, every decided seat was
-- sold and every key is this round's: then nothing of the round stays.
CREATE FUNCTION "tickets_sell_batch"(
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
BEGIN
  RETURN QUERY
  WITH fence AS (
    UPDATE events SET seat_version = seat_version + 1,
           lock_epoch = lock_epoch + (CASE WHEN p_epoch IS NULL THEN 1 ELSE 0 END)
     WHERE id = p_event
       AND (CASE WHEN p_epoch IS NULL THEN seat_version = p_take_at ELSE lock_epoch = p_epoch END)
    RETURNING seat_version, lock_epoch, status, currency, title
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
              ELSE true END
    FROM (SELECT 1) AS one LEFT JOIN fence f ON true;
END
$$;
