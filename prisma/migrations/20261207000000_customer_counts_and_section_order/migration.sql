-- Every purchase round counts each of its buyers' tickets of the event
-- (tickets_customer_count, for maxTicketsPerCustomer). Without this index the
-- count walks all of a customer's orders, of every event, by (user_id, created_at):
-- cheap for a buyer with a few orders, not for one who buys all season.
CREATE INDEX "orders_event_id_user_id_idx" ON "orders"("event_id", "user_id");

-- Best-N now orders sections by their place in the layout (section_position,
-- served by seats_available_position_idx): the index by section name serves
-- nothing any more, and every seat that is sold or freed would keep updating it.
DROP INDEX "seats_available_preference_idx";
