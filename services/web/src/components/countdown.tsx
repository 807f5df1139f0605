import { useEffect, useRef, useState } from 'preact/hooks';
import { countdown } from '../format.ts';
import { useNow } from '../hooks.ts';

/**
 * Time left until `until` (server time). Screen readers hear it at start, at one
 * minute and at the end, not every second.
 */
export function Countdown({ until, onExpire }: { until: string; onExpire?: () => void }) {
  const now = useNow(500);
  const left = Date.parse(until) - now;
  const expired = left <= 0;
  const [announce, setAnnounce] = useState(`Your seats are held for ${countdown(left)} minutes.`);
  const lastMinute = useRef(false);
  const fired = useRef(false);

  useEffect(() => {
    if (left <= 60_000 && left > 0 && !lastMinute.current) {
      lastMinute.current = true;
      setAnnounce('One minute left to pay for your seats.');
    }
    if (expired && !fired.current) {
      fired.current = true;
      setAnnounce('Your hold has run out.');
      onExpire?.();
    }
  }, [left, expired, onExpire]);

  return (
    <div class={`countdown${left <= 60_000 ? ' urgent' : ''}`}>
      <span class="countdown-label">{expired ? 'Hold expired' : 'Seats held for'}</span>
      <span class="countdown-time" aria-hidden="true">
        {countdown(left)}
      </span>
      <span class="sr-only" aria-live="polite">
        {announce}
      </span>
    </div>
  );
}
