// The device camera and a QR reader, where the browser offers BarcodeDetector;
// elsewhere a word why not (the ticket code field works everywhere).
import { useEffect, useRef, useState } from 'preact/hooks';

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

/** The device camera and a QR reader, where the browser has both; a word why not otherwise. */
export function Camera({ onCode, paused }: { onCode: (code: string) => void; paused: boolean }) {
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
