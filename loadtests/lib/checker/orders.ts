// I2 and I3 over the stored orders: every acknowledged order is stored with the
// seats it was answered with, and nothing is stored that no attempt could have made.
import type { Add } from '../checker.ts';
import { type HistoryState, INFO, OK } from './history.ts';
import { keysetPages, type Queryable } from './pages.ts';

interface StoredOrder {
  id: string;
  event_id: string;
  user_id: string;
  key: string | null;
  seat_ids: string[];
  total_cents: number;
}

const ORDERS_PAGE = `
  SELECT o.id, o.event_id, o.user_id, o.total_cents, r.key,
         coalesce(array_agg(t.seat_id::text ORDER BY t.seat_id) FILTER (WHERE t.seat_id IS NOT NULL), '{}') AS seat_ids
    FROM (SELECT * FROM orders WHERE event_id = ANY($1::uuid[]) AND id > $2::uuid ORDER BY id LIMIT $3) o
    LEFT JOIN tickets t ON t.order_id = o.id
    LEFT JOIN idempotency_records r ON r.order_id = o.id AND r.user_id = o.user_id
   GROUP BY o.id, o.event_id, o.user_id, o.total_cents, r.key
   ORDER BY o.id`;

/** Consumes `history.acknowledged`: what is left of it at the end was never stored. */
export async function checkStoredOrders(
  db: Queryable,
  eventIds: string[],
  pageSize: number,
  history: Pick<HistoryState, 'acknowledged' | 'outcomes'>,
  add: Add,
): Promise<{ lost: number; phantom: number }> {
  const { acknowledged, outcomes } = history;
  let lost = 0;
  let phantom = 0;
  for await (const page of keysetPages<StoredOrder>(db, ORDERS_PAGE, eventIds, pageSize)) {
    for (const o of page) {
      const answered = acknowledged.get(o.id);
      if (answered) {
        const storedSeats = [...o.seat_ids].sort().join();
        for (const seats of answered.seats) {
          if (seats !== null && seats !== storedSeats) {
            add('I2', `order ${o.id} was answered with other seats than it stores`);
            lost++;
          }
        }
        acknowledged.delete(o.id);
      }
      const mask = o.key ? outcomes.get(`${o.user_id}:${o.key}`) : undefined;
      if (!mask) {
        add('I3', `order ${o.id} is stored but no attempt sent its key`);
        phantom++;
      } else if (!(mask & (OK | INFO))) {
        add('I3', `order ${o.id} is stored although its attempt (key ${o.key}) was answered as failed`);
        phantom++;
      }
    }
  }
  for (const [orderId, a] of acknowledged) {
    for (const _ of a.seats) {
      add('I2', `order ${orderId} (key ${a.key}) was acknowledged but is not stored`);
      lost++;
    }
  }
  acknowledged.clear();
  return { lost, phantom };
}
