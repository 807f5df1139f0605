// A hold this tab made earlier for the event, while it is still running (the
// event page leads back to its checkout instead of letting the seats be chosen again).
import { useEffect, useState } from 'preact/hooks';
import { getHold } from '../../api/endpoints.ts';
import type { Hold } from '../../api/types.ts';
import { clock } from '../../clock.ts';
import { myHolds } from '../../my-holds.ts';

export function useRememberedHold(eventId: string, userId: string | undefined) {
  const [hold, setHold] = useState<Hold | null>(null);
  useEffect(() => {
    setHold(null);
    const remembered = userId ? myHolds.get(eventId) : undefined;
    if (!remembered) return;
    const controller = new AbortController();
    getHold(remembered.id, controller.signal).then(
      (h) => {
        if ((h.status ?? 'active') === 'active' && Date.parse(h.expiresAt) > clock.now()) setHold(h);
        else myHolds.forget(h.id);
      },
      () => {
        if (!controller.signal.aborted) myHolds.forget(remembered.id);
      },
    );
    return () => controller.abort();
  }, [eventId, userId]);
  return [hold, setHold] as const;
}
