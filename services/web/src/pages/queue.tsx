// An event's waiting room: join it, watch your place and the wait, and go on to
// the seat map when it is your turn. The page polls GET /queue every few seconds
// (two index probes on the server): a waiting customer needs no open connection,
// and a tab in the background asks nothing at all; the place is kept either way.
import { useEffect, useRef, useState } from 'preact/hooks';
import { admissions } from '../admission.ts';
import { getEvent, getQueue, joinQueue } from '../api/endpoints.ts';
import { isCode } from '../api/problems.ts';
import type { QueueState, TicketEvent } from '../api/types.ts';
import { ErrorBox, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { countdown, dateTime, plural, time } from '../format.ts';
import { useAsync, useNow, usePoll, useTitle } from '../hooks.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.ts';

export const QUEUE_POLL_MS = 3000;
/** Long enough to read "it's your turn", short enough not to waste it. */
const ADMITTED_PAUSE_MS = 1500;

export function QueuePage({ id }: { id: string }) {
  const event = useAsync((signal) => getEvent(id, signal), [id]);
  useTitle(event.data ? `Waiting room · ${event.data.title}` : 'Waiting room');
  const user = useSession()?.user;
  // The first request joins (idempotent: a reload keeps the place), the next ones ask.
  const joined = useRef(false);
  const [round, setRound] = useState(0);
  const queue = usePoll(
    async (signal) => {
      if (joined.current) return getQueue(id, signal);
      const state = await joinQueue(id, signal);
      joined.current = true;
      return state;
    },
    QUEUE_POLL_MS,
    [id, round],
  );
  // No waiting room (never, or turned off meanwhile): nothing to wait for.
  const noRoom = isCode(queue.error, 'NOT_FOUND');
  const state = noRoom ? undefined : queue.data;

  useEffect(() => {
    if (state?.state !== 'admitted' || !user) return;
    admissions.remember(id, { userId: user.id, token: state.admissionToken, expiresAt: state.expiresAt });
    const timer = setTimeout(() => navigate(`/events/${id}`, { replace: true }), ADMITTED_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [state, user?.id]);

  const joinAgain = () => {
    joined.current = false;
    setRound((r) => r + 1);
  };

  const e = event.data;
  return (
    <div class="narrow queue-page">
      <PageHeader title="Waiting room" />
      {e && (
        <p class="event-when">
          <Link href={`/events/${id}`}>{e.title}</Link> ·{' '}
          <time dateTime={e.startsAt}>{dateTime(e.startsAt)}</time> · {e.venue}
        </p>
      )}
      <ErrorBox
        error={state ? null : (queue.error ?? event.error)}
        overrides={{ NOT_FOUND: 'This event has no waiting room: you can choose your seats straight away.' }}
      >
        <Link href={`/events/${id}`}>Go to the event</Link>
      </ErrorBox>
      {!state && !queue.error && <Loading label="Joining the queue…" />}
      {state && (
        <QueueCard state={state} event={e} updatedAt={queue.updatedAt} onJoinAgain={joinAgain} id={id} />
      )}
      {state && queue.error != null && (
        <p class="hint" role="status">
          We could not update your place just now; trying again. Your place is kept.
        </p>
      )}
    </div>
  );
}

function QueueCard({
  state,
  event,
  updatedAt,
  onJoinAgain,
  id,
}: {
  state: QueueState;
  event: TicketEvent | undefined;
  updatedAt: number | undefined;
  onJoinAgain: () => void;
  id: string;
}) {
  const now = useNow(1000);
  if (state.state === 'admitted') {
    return (
      <div class="card queue-card" data-testid="queue" data-state="admitted">
        <Notice kind="success">
          <p>
            <strong>It’s your turn!</strong> Taking you to the seats… Your turn lasts until{' '}
            <time dateTime={state.expiresAt}>{time(state.expiresAt)}</time>.
          </p>
        </Notice>
        <Link class="button primary" href={`/events/${id}`}>
          Choose your seats now
        </Link>
      </div>
    );
  }
  if (state.state === 'expired') {
    return (
      <div class="card queue-card" data-testid="queue" data-state="expired">
        <Notice kind="warning">
          <p>
            Your turn ended at <time dateTime={state.expiredAt}>{time(state.expiredAt)}</time>. You can join
            the queue again, at the back.
          </p>
        </Notice>
        <button type="button" class="primary" onClick={onJoinAgain}>
          Join the queue again
        </button>
      </div>
    );
  }

  // The wait counts down between updates; each update sets it right again.
  const due = (updatedAt ?? now) + state.estimatedWaitSeconds * 1000;
  const left = Math.max(0, due - now);
  const opensAt = event?.salesStartAt;
  const beforeOpening = state.provisional && opensAt && Date.parse(opensAt) > now;
  return (
    <div class="card queue-card" data-testid="queue" data-state="waiting" data-position={state.position}>
      <p class="queue-place" role="status">
        <span class="queue-number">{state.position}</span>
        <span>
          {state.provisional
            ? 'your place in line if the draw were now'
            : state.position === 1
              ? 'you are next in line'
              : `in line: ${plural(state.position - 1, 'person', 'people')} ahead of you`}
        </span>
      </p>
      <dl class="facts">
        <dt>Estimated wait</dt>
        <dd>
          <span class="queue-wait">{countdown(left)}</span>
          {left > 60_000 && <span class="muted"> (about {time(due)})</span>}
        </dd>
        {event?.waitingRoom && (
          <>
            <dt>Let in</dt>
            <dd>{plural(event.waitingRoom.admitPerMinute, 'customer')} a minute</dd>
          </>
        )}
      </dl>
      {beforeOpening ? (
        <p>
          Sales open at <time dateTime={opensAt}>{time(opensAt)}</time>. Everyone who joins before then is put
          in a random order when sales open, so there is no need to rush or to reload: joining early gives no
          advantage, and neither does joining at the last second.
        </p>
      ) : (
        <p>
          Keep this page open: it updates by itself and takes you to the seat map when it is your turn. Those
          who came after the opening are let in in the order they arrived.
        </p>
      )}
      {updatedAt && (
        <p class="hint">
          Updated <time>{time(updatedAt)}</time>
        </p>
      )}
    </div>
  );
}
