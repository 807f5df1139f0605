// A purchase request over real HTTP, classified the way the checker wants it.
import type { Attempt } from '@tickets/loadtests/checker';

export interface PurchaseCall {
  baseUrl: string;
  token: string;
  userId: string;
  eventId: string;
  key: string;
  body: Record<string, unknown>;
  timeoutMs?: number;
}

export async function purchase(call: PurchaseCall): Promise<Attempt & { status: number; replica?: string }> {
  const base = { key: call.key, userId: call.userId, eventId: call.eventId };
  try {
    const res = await fetch(`${call.baseUrl}/api/v1/events/${call.eventId}/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${call.token}`,
        'content-type': 'application/json',
        'idempotency-key': call.key,
      },
      body: JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs ?? 30_000),
    });
    const json = (await res.json()) as { id?: string; seats?: { id: string }[]; code?: string };
    const replica = res.headers.get('x-replica-id') ?? undefined;
    if (res.status === 200 || res.status === 201) {
      return {
        ...base,
        replica,
        status: res.status,
        outcome: 'ok',
        orderId: json.id,
        seatIds: json.seats?.map((s) => s.id),
      };
    }
    if (res.status >= 400 && res.status < 500)
      return { ...base, replica, status: res.status, outcome: 'fail', code: json.code };
    return { ...base, replica, status: res.status, outcome: 'info', code: json.code };
  } catch {
    return { ...base, status: 0, outcome: 'info' };
  }
}
