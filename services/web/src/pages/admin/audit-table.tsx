// The operation log as a table: newest first, actions in words.
import type { AuditEntry } from '../../api/types.ts';
import { plural, shortId, time } from '../../format.ts';
import { Link } from '../../router.tsx';

const ACTIONS: Record<string, string> = {
  'event.create': 'Event created',
  'event.status': 'Sales status changed',
  'event.sales': 'Sales opening or waiting room changed',
  'event.limit': 'Tickets per customer changed',
  'hold.create': 'Seats held',
  'hold.release': 'Hold given up',
  'hold.expire': 'Hold expired',
  'order.create': 'Order placed',
  'payment.captured_by_sweep': 'Payment captured by the sweep',
  'user.signup': 'Customer signed up',
  'user.create': 'User added by an admin',
  'user.admin_bootstrap': 'First admin created',
  'user.password_changed': 'Password changed',
  'user.password_change_failed': 'Password change refused',
  'auth.login': 'Logged in',
  'auth.login_failed': 'Login failed',
  'lock.fenced': 'Stale lock holder fenced off',
};

export const actionWords = (action: string) => ACTIONS[action] ?? action;

function Subject({ subject }: { subject: string }) {
  const [kind, id] = subject.split(':', 2);
  if (!id) return <>{subject}</>;
  if (kind === 'event')
    return (
      <Link href={`/admin/events/${id}/orders`} title={subject}>
        event {shortId(id)}
      </Link>
    );
  return (
    <span title={subject}>
      {kind} {shortId(id)}
    </span>
  );
}

function detailText(detail: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(detail)) {
    if (Array.isArray(value))
      parts.push(key === 'seatIds' ? plural(value.length, 'seat') : `${value.length} ${key}`);
    else if (key === 'totalCents' && typeof value === 'number')
      parts.push(`total ${(value / 100).toFixed(2)}`);
    else if (typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value))
      parts.push(`${key} ${shortId(value)}`);
    else if (value !== null && typeof value === 'object') parts.push(`${key} ${JSON.stringify(value)}`);
    else parts.push(`${key} ${String(value)}`);
  }
  return parts.join(' · ');
}

export function AuditTable({ items, fresh }: { items: AuditEntry[]; fresh?: ReadonlySet<string> }) {
  return (
    <div class="table-wrap">
      <table class="audit">
        <caption class="sr-only">Operation log, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Action</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Details</th>
            <th scope="col">Replica</th>
          </tr>
        </thead>
        <tbody>
          {items.map((entry) => (
            <tr key={entry.id} class={fresh?.has(entry.id) ? 'fresh' : undefined} data-action={entry.action}>
              <td>
                <time dateTime={entry.at} title={entry.at}>
                  {time(entry.at)}
                </time>
              </td>
              <td>
                <span class="action">{actionWords(entry.action)}</span>
                <code class="action-code">{entry.action}</code>
              </td>
              <td>{entry.actor}</td>
              <td>
                <Subject subject={entry.subject} />
              </td>
              <td class="detail">{detailText(entry.detail)}</td>
              <td>{entry.replica}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
