// The panel of an event with a waiting room, until the queue has let this customer in.
import { isCode } from '../../api/problems.ts';
import { ErrorBox } from '../../components/ui.tsx';
import { dateTime } from '../../format.ts';
import { Link } from '../../router.tsx';

export function WaitingRoomCard({
  eventId,
  opensAt,
  loggedIn,
  error,
}: {
  eventId: string;
  opensAt: string | null;
  loggedIn: boolean;
  error: unknown;
}) {
  const queuePath = `/events/${eventId}/queue`;
  return (
    <div data-testid="waiting-room">
      <h2>This sale has a waiting room</h2>
      <ErrorBox
        error={isCode(error, 'ADMISSION_REQUIRED') ? error : null}
        overrides={{ ADMISSION_REQUIRED: 'Your turn has ended. Please join the queue again.' }}
      />
      <p>
        Customers are let in a few at a time, so that everyone gets a fair chance at the seats.
        {opensAt && (
          <>
            {' '}
            Sales open on <time dateTime={opensAt}>{dateTime(opensAt)}</time>; everyone who joins the queue
            before then gets a random place.
          </>
        )}
      </p>
      {loggedIn ? (
        <Link class="button primary" href={queuePath}>
          Join the queue
        </Link>
      ) : (
        <p class="hint">
          <Link href={`/login?next=${encodeURIComponent(queuePath)}`}>Log in</Link> or{' '}
          <Link href={`/signup?next=${encodeURIComponent(queuePath)}`}>create an account</Link> to join the
          queue.
        </p>
      )}
    </div>
  );
}
