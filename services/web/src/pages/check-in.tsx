// The door: admins and staff scan ticket codes (README, "Tickets at the door").
// The camera reads QR codes where the browser offers BarcodeDetector; the text
// field always works (a handheld scanner types into it, or the code is pasted).
import { MAX_LENGTH } from '@tickets/contract/limits';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import { checkIn, listEvents } from '../api/endpoints.ts';
import type { CheckIn } from '../api/types.ts';
import { ErrorBox, Loading, PageHeader } from '../components/ui.tsx';
import { dateTime, time } from '../format.ts';
import { useAsync, useTitle } from '../hooks.ts';
import { useLocation } from '../router.tsx';

type Seat = CheckIn['seat'];
type Outcome =
  | { kind: 'admitted'; seat: Seat; at: string }
  | { kind: 'already'; seat?: Seat; at?: string }
  | { kind: 'cancelled'; seat?: Seat }
  | { kind: 'unknown' }
  | { kind: 'failed'; error: unknown };

/** The part of the Shape Detection API used here (Chromium on Android, ChromeOS, macOS). */
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}
const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;

/** Whether this browser can read QR codes from the camera. */
async function cameraScanning(): Promise<boolean> {
  if (!Detector || !navigator.mediaDevices?.getUserMedia) return false;
  try {
    return (await Detector.getSupportedFormats()).includes('qr_code');
  } catch {
    return false;
  }
}

async function admit(eventId: string, code: string): Promise<Outcome> {
  try {
    const ok = await checkIn(eventId, code);
    return { kind: 'admitted', seat: ok.seat, at: ok.checkedInAt };
  } catch (error) {
    if (error instanceof ApiError) {
      const p = error.problem;
      if (error.code === 'ALREADY_CHECKED_IN') return { kind: 'already', seat: p?.seat, at: p?.checkedInAt };
      if (error.code === 'TICKET_CANCELLED') return { kind: 'cancelled', seat: p?.seat };
      // A forged code, another event's or none at all; a malformed one too.
      if (error.code === 'NOT_FOUND' || error.code === 'VALIDATION_FAILED') return { kind: 'unknown' };
    }
    return { kind: 'failed', error };
  }
}

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
          {outcome && <Result outcome={outcome} key={scanned} />}
        </>
      )}
    </div>
  );
}

function seatText(seat: Seat | undefined): string {
  // The label names the section already ("Floor · Row 1 · Seat 1").
  return seat?.label ?? '';
}

function Result({ outcome }: { outcome: Outcome }) {
  switch (outcome.kind) {
    case 'admitted':
      return (
        <div class="door-result admitted" role="status" data-result="admitted">
          <p class="door-verdict">Admitted</p>
          <p>{seatText(outcome.seat)}</p>
          <p class="muted">Checked in at {time(outcome.at)}</p>
        </div>
      );
    case 'already':
      return (
        <div class="door-result refused" role="alert" data-result="already">
          <p class="door-verdict">Already checked in</p>
          {outcome.at && (
            <p>
              First admitted <time dateTime={outcome.at}>{dateTime(outcome.at)}</time>
            </p>
          )}
          <p>{seatText(outcome.seat)}</p>
        </div>
      );
    case 'cancelled':
      return (
        <div class="door-result refused" role="alert" data-result="cancelled">
          <p class="door-verdict">Cancelled ticket</p>
          <p>{seatText(outcome.seat)} — its order was cancelled and refunded. Do not admit.</p>
        </div>
      );
    case 'unknown':
      return (
        <div class="door-result refused" role="alert" data-result="unknown">
          <p class="door-verdict">Unknown code</p>
          <p>This is not a ticket for this event. Check the event above, or the code.</p>
        </div>
      );
    default:
      return <ErrorBox error={outcome.error} />;
  }
}

/** The device camera and a QR reader, where the browser has both; a word why not otherwise. */
function Camera({ onCode, paused }: { onCode: (code: string) => void; paused: boolean }) {
  const [supported, setSupported] = useState<boolean | null>(null);
  const [on, setOn] = useState(false);
  const [problem, setProblem] = useState('');
  const video = useRef<HTMLVideoElement>(null);
  const latest = useRef({ onCode, paused });
  latest.current = { onCode, paused };

  useEffect(() => {
    void cameraScanning().then(setSupported);
  }, []);

  useEffect(() => {
    if (!on || !Detector) return;
    const detector = new Detector({ formats: ['qr_code'] });
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    // The same code in front of the camera is sent once, not on every frame.
    let last = { value: '', at: 0 };
    const tick = async () => {
      if (stopped) return;
      const el = video.current;
      if (el && el.readyState >= 2 && !latest.current.paused) {
        try {
          const [found] = await detector.detect(el);
          const now = Date.now();
          if (found?.rawValue && (found.rawValue !== last.value || now - last.at > 4000)) {
            last = { value: found.rawValue, at: now };
            latest.current.onCode(found.rawValue);
          }
        } catch {
          // A frame that cannot be read: try the next one.
        }
      }
      timer = setTimeout(tick, 200);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (s) => {
        stream = s;
        if (stopped || !video.current) return;
        video.current.srcObject = s;
        await video.current.play();
        void tick();
      })
      .catch(() => {
        setProblem('The camera could not be opened (permission refused, or no camera). Use the field below.');
        setOn(false);
      });
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [on]);

  if (supported === null) return null;
  if (!supported) {
    return (
      <p class="notice warning camera-unavailable" role="status">
        This browser cannot read QR codes with the camera. Type or paste the ticket code below.
      </p>
    );
  }
  return (
    <div class="camera">
      {problem && <p class="notice warning">{problem}</p>}
      {on ? (
        <>
          <video
            ref={video}
            class="camera-view"
            muted
            playsInline
            aria-label="Camera: hold a ticket's QR code in view"
          />
          <button type="button" onClick={() => setOn(false)}>
            Stop the camera
          </button>
        </>
      ) : (
        <button
          type="button"
          class="primary"
          onClick={() => {
            setProblem('');
            setOn(true);
          }}
        >
          Scan with the camera
        </button>
      )}
    </div>
  );
}
