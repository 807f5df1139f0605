// What the door is told about one ticket code: admitted, or refused and why.
import { ApiError } from '../../api/client.ts';
import { checkIn } from '../../api/endpoints.ts';
import type { CheckIn } from '../../api/types.ts';
import { ErrorBox } from '../../components/ui.tsx';
import { dateTime, time } from '../../format.ts';

type Seat = CheckIn['seat'];
export type Outcome =
  | { kind: 'admitted'; seat: Seat; at: string }
  | { kind: 'already'; seat?: Seat; at?: string }
  | { kind: 'cancelled'; seat?: Seat }
  | { kind: 'unknown' }
  | { kind: 'failed'; error: unknown };

export async function admit(eventId: string, code: string): Promise<Outcome> {
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

function seatText(seat: Seat | undefined): string {
  // The label names the section already ("Floor · Row 1 · Seat 1").
  return seat?.label ?? '';
}

export function DoorResult({ outcome }: { outcome: Outcome }) {
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
