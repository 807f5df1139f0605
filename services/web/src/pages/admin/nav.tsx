import { Link, useLocation } from '../../router.tsx';

const LINKS: [string, string][] = [
  ['/admin', 'Dashboard'],
  ['/admin/events/new', 'New event'],
  ['/admin/audit', 'Operation log'],
  ['/admin/users', 'Add a user'],
  ['/admin/webhooks', 'Webhooks'],
];

export function AdminNav() {
  const { path } = useLocation();
  return (
    <nav class="admin-nav" aria-label="Administration">
      {LINKS.map(([href, text]) => (
        <Link key={href} href={href} aria-current={path === href ? 'page' : undefined}>
          {text}
        </Link>
      ))}
    </nav>
  );
}
