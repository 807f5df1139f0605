-- Rounds of several events in one call. A replica that holds the locks of many
-- events (a sale spread over many events: each round is often one purchase) used
-- to send one statement, one transaction and one commit per round. Now the rounds
-- it writes at about the same time go together (domain/purchase/sale-writer.ts):
-- this function runs tickets_sell_batch for each of them, unchanged, each in a
-- block of its own, so that one round's refusal rolls back that round only.
--
-- Rows of the rounds come concatenated, in the order of p_events; p_seat_ends and
-- p_order_ends say where each round's seats and orders end (1-based, inclusive).
-- One result row per round, in the same order:
--   conflict NULL, sold_version NULL     the fence did not match: nothing written
--   conflict NULL, sold_version set      written
--   conflict 'closed'|'seats'|'keys'|'limit'
--                                        the round's rows were not as decided
--   conflict 'lock'                      its event row stayed locked past
--                                        lock_timeout (a paused holder's
--                                        transaction): nothing of it was written
--   conflict 'deadlock'                  chosen as a deadlock's victim: likewise
-- Any other error fails the whole call, as it failed the round before.
--
-- The caller sends the rounds in the order of their event ids, so that two calls
-- that touch the same events (a stale holder's and the new holder's) lock the
-- event rows in the same order and cannot deadlock on them.
CREATE FUNCTION "tickets_sell_rounds"(
  p_events uuid[],
  p_epochs bigint[],
  p_take_ats bigint[],
  p_replica text,
  p_created_ats timestamptz[],
  p_seat_ends integer[],
  p_order_ends integer[],
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
) RETURNS TABLE (round integer, sold_version bigint, sold_epoch bigint, event_currency text,
                 event_title text, conflict text)
LANGUAGE plpgsql AS $$
DECLARE
  s0 integer := 1;
  o0 integer := 1;
  s1 integer;
  o1 integer;
BEGIN
  FOR i IN 1 .. coalesce(cardinality(p_events), 0) LOOP
    round := i;
    s1 := p_seat_ends[i];
    o1 := p_order_ends[i];
    sold_version := NULL;
    sold_epoch := NULL;
    event_currency := NULL;
    event_title := NULL;
    conflict := NULL;
    BEGIN
      SELECT b.sold_version, b.sold_epoch, b.event_currency, b.event_title
        INTO sold_version, sold_epoch, event_currency, event_title
        FROM tickets_sell_batch(
          p_events[i], p_epochs[i], p_take_ats[i], p_replica, p_created_ats[i],
          p_seat_ids[s0:s1], p_seat_orders[s0:s1], p_seat_prices[s0:s1],
          p_order_ids[o0:o1], p_user_ids[o0:o1], p_totals[o0:o1], p_payment_refs[o0:o1],
          p_keys[o0:o1], p_hashes[o0:o1], p_emails[o0:o1], p_details[o0:o1]) AS b;
    EXCEPTION
      WHEN serialization_failure THEN
        -- tickets_assert's refusals; anything else of this class is not ours.
        IF SQLERRM NOT LIKE 'tickets_batch_conflict:%' THEN
          RAISE;
        END IF;
        conflict := substr(SQLERRM, length('tickets_batch_conflict:') + 1);
      WHEN lock_not_available THEN
        conflict := 'lock';
      WHEN deadlock_detected THEN
        conflict := 'deadlock';
    END;
    s0 := s1 + 1;
    o0 := o1 + 1;
    RETURN NEXT;
  END LOOP;
END
$$;
