// The door: admins and staff scan ticket codes (README, "Tickets at the door").
// The camera reads QR codes where the browser offers BarcodeDetector; the text
// field always works (a handheld scanner types into it, or the code is pasted).
import { MAX_LENGTH } from '@tickets/contract/limits';
import { useRef, useState } from 'preact/hooks';
import { listEvents } from '../api/endpoints.ts';
import { ErrorBox, Loading, PageHeader } from '../components/ui.tsx';
import { dateTime } from '../format.ts';
import { useAsync, useTitle } from '../hooks.ts';
import { useLocation } from '../router.tsx';
import { Camera } from './check-in/camera.tsx';
import { admit, DoorResult, type Outcome } from './check-in/door-result.tsx';

export function CheckInPage() {
  useTitle('Check-in');
  const { query } = useLocation();
  const events = useAsync((signal) => listEvents(undefined, signal), []);
  const [eventId, setEventId] = useState(query.get('event') ?? '');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [scanned, setScanned] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const chosen = eventId || events.data?.items[0]?.id || '';
  const busyRef = useRef(false);

  const submit = async (value: string) => {
    const trimmed = value.trim();
    if (!trimmed || !chosen || busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    try {
      setOutcome(await admit(chosen, trimmed));
      setScanned((n) => n + 1);
      setCode('');
    } finally {
      busyRef.current = false;
      setBusy(false);
      input.current?.focus();
    }
  };

  return (
    <div class="narrow check-in">
      <PageHeader title="Check-in" />
      {events.loading && !events.data && <Loading label="Loading the events…" />}
      <ErrorBox error={events.error} />
      {events.data && (
        <>
          <div class="field">
            <label for="event">Event</label>
            <select
              id="event"
              name="event"
              value={chosen}
              onChange={(e) => {
                setEventId(e.currentTarget.value);
                setOutcome(null);
              }}
            >
              {events.data.items.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.title} · {dateTime(e.startsAt)}
                </option>
              ))}
            </select>
          </div>
          <Camera onCode={(value) => void submit(value)} paused={busy || !chosen} />
          <form
            class="code-form"
            onSubmit={(e) => {
              e.preventDefault();
              void submit(code);
            }}
          >
            <div class="field">
              <label for="code">Ticket code</label>
              <input
                id="code"
                name="code"
                ref={input}
                value={code}
                autocomplete="off"
                autocapitalize="off"
                spellcheck={false}
                placeholder="t1.…"
                maxLength={MAX_LENGTH.checkInCode}
                required
                onInput={(e) => setCode(e.currentTarget.value)}
              />
              <p class="hint">Type or paste the code printed under the QR code, or use a handheld scanner.</p>
            </div>
            <button type="submit" class="primary" disabled={busy || !chosen} aria-busy={busy}>
              {busy ? 'Checking…' : 'Check in'}
            </button>
          </form>
          {outcome && <DoorResult outcome={outcome} key={scanned} />}
        </>
      )}
    </div>
  );
}
