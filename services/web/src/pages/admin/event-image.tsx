// An event's image on the admin side: checks before sending (the API checks the
// bytes again and re-encodes them), and a control to upload, replace or remove it.
import { IMAGE_TYPES, MAX_IMAGE_BYTES } from '@tickets/contract/limits';
import { useState } from 'preact/hooks';
import { removeEventImage, setEventImage } from '../../api/endpoints.ts';
import { ErrorBox } from '../../components/ui.tsx';

export const IMAGE_ACCEPT = IMAGE_TYPES.join(',');
/** The largest image, in words: "2 MB". */
export const MAX_IMAGE_SIZE = `${MAX_IMAGE_BYTES / (1024 * 1024)} MB`;

/** Why this file cannot be the event's image, in words; undefined when it may be. */
export function imageProblem(file: File | null | undefined): string | undefined {
  if (!file) return undefined;
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type))
    return 'The image must be a JPEG, PNG or WebP file.';
  if (file.size > MAX_IMAGE_BYTES) return `The image must be at most ${MAX_IMAGE_SIZE}.`;
  return undefined;
}

/** Words for the API's refusals of an image. */
export const IMAGE_ERRORS = {
  PAYLOAD_TOO_LARGE: `That image is too large: at most ${MAX_IMAGE_SIZE}, please.`,
  UNSUPPORTED_MEDIA_TYPE: 'That file is not a picture we can use. Please choose a JPEG, PNG or WebP image.',
};

export function EventImageControl(props: { eventId: string; imageUrl: string | null; onChange(): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problem = imageProblem(file);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setFile(null);
      props.onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="event-image-admin" aria-labelledby="image-title">
      <h2 id="image-title">Image</h2>
      {props.imageUrl ? (
        <img class="event-image" src={props.imageUrl} alt="Shown with the event now" />
      ) : (
        <p class="muted">No image yet.</p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (file && !problem) void run(() => setEventImage(props.eventId, file));
        }}
      >
        <div class="field">
          <label for="event-image-file">
            {props.imageUrl ? 'Replace with' : 'Upload'} (JPEG, PNG or WebP, at most 2 MB)
          </label>
          <input
            id="event-image-file"
            type="file"
            accept={IMAGE_ACCEPT}
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        {problem && (
          <p class="notice error" role="alert">
            {problem}
          </p>
        )}
        <div class="actions">
          <button type="submit" disabled={busy || !file || !!problem}>
            {busy ? 'Saving…' : 'Save image'}
          </button>
          {props.imageUrl && (
            <button type="button" disabled={busy} onClick={() => run(() => removeEventImage(props.eventId))}>
              Remove image
            </button>
          )}
        </div>
      </form>
      <ErrorBox error={error} overrides={IMAGE_ERRORS} />
    </section>
  );
}
