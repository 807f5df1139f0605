// The operation log: newest first, refreshing by itself, older pages on demand.
import { useEffect, useRef, useState } from 'preact/hooks';
import { auditLog } from '../../api/endpoints.ts';
import type { AuditEntry } from '../../api/types.ts';
import { ErrorBox, Loading, MoreButton, PageHeader } from '../../components/ui.tsx';
import { time } from '../../format.ts';
import { usePoll, useTitle } from '../../hooks.ts';
import { AuditTable } from './audit-table.tsx';
import { AdminNav } from './nav.tsx';

const PAGE = 50;
const REFRESH_MS = 3000;

/**
 * Merges the newest page into what is shown: entries not seen yet go on top. When
 * the newest page does not reach what is shown, more happened than one page holds,
 * so the list starts over from the newest page.
 */
export function mergeNewest(
  shown: AuditEntry[],
  newest: AuditEntry[],
): { items: AuditEntry[]; added: string[] } {
  const known = new Set(shown.map((e) => e.id));
  const added = newest.filter((e) => !known.has(e.id));
  if (added.length === newest.length && shown.length > 0 && newest.length === PAGE) {
    return { items: newest, added: added.map((e) => e.id) };
  }
  return { items: [...added, ...shown], added: added.map((e) => e.id) };
}

export function AuditPage() {
  useTitle('Operation log');
  const [auto, setAuto] = useState(true);
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [older, setOlder] = useState<string | null | undefined>(undefined);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const first = useRef(true);
  const shown = useRef<AuditEntry[]>([]);
  const show = (next: AuditEntry[]) => {
    shown.current = next;
    setItems(next);
  };

  const newest = usePoll((signal) => auditLog({ limit: PAGE }, signal), auto ? REFRESH_MS : 3_600_000, []);

  useEffect(() => {
    const page = newest.data;
    if (!page) return;
    const merged = mergeNewest(shown.current, page.items);
    if (first.current || merged.items === page.items) setOlder(page.nextBefore);
    setFresh(first.current ? new Set() : new Set(merged.added));
    first.current = false;
    show(merged.items);
  }, [newest.data]);

  return (
    <div>
      <AdminNav />
      <PageHeader title="Operation log">
        <div class="toolbar">
          <label class="check">
            <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} />
            Refresh by itself
          </label>
          {newest.updatedAt && <span class="muted">Updated {time(newest.updatedAt)}</span>}
        </div>
      </PageHeader>
      {newest.loading && items.length === 0 && <Loading label="Loading the operation log…" />}
      <ErrorBox error={newest.error} />
      {newest.data && items.length === 0 && <p>Nothing has happened yet.</p>}
      {items.length > 0 && <AuditTable items={items} fresh={fresh} />}
      {older && (
        <MoreButton
          label="Show older entries"
          load={async () => {
            const page = await auditLog({ limit: PAGE, before: older });
            const known = new Set(shown.current.map((e) => e.id));
            show([...shown.current, ...page.items.filter((e) => !known.has(e.id))]);
            setOlder(page.nextBefore);
          }}
        />
      )}
    </div>
  );
}
