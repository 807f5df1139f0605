// The orders export as a file. The API wants the session's bearer token, which a
// plain link cannot send: the CSV is fetched and handed to the browser as a
// download of the fetched bytes (an object URL, let go right after).
import { useState } from 'preact/hooks';
import { ordersCsv } from '../../api/endpoints.ts';
import { ErrorBox } from '../../components/ui.tsx';

/** A file name from the event's title: letters, digits and dashes. */
const fileName = (title: string) =>
  `${
    title
      .normalize('NFKD')
      .replace(/[^\w-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'event'
  }-orders.csv`;

export function DownloadCsvButton({ eventId, title }: { eventId: string; title: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const csv = await ordersCsv(eventId);
      const url = URL.createObjectURL(csv);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName(title);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="export">
      <button type="button" disabled={busy} onClick={download}>
        {busy ? 'Preparing the CSV…' : 'Download orders (CSV)'}
      </button>
      <ErrorBox error={error} />
    </div>
  );
}
