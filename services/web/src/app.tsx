// The shell: header with navigation, the page for the current path, focus
// management on navigation.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { admissions } from './admission.ts';
import { Loading, PageHeader } from './components/ui.tsx';
import { myHolds } from './my-holds.ts';
import { AuditPage } from './pages/admin/audit.tsx';
import { DashboardPage } from './pages/admin/dashboard.tsx';
import { EventOrdersPage } from './pages/admin/event-orders.tsx';
import { NewEventPage } from './pages/admin/new-event.tsx';
import { UsersPage } from './pages/admin/users.tsx';
import { WebhooksPage } from './pages/admin/webhooks.tsx';
import { AccountPage, LoginPage, SignupPage } from './pages/auth.tsx';
import { CheckInPage } from './pages/check-in.tsx';
import { CheckoutPage } from './pages/checkout.tsx';
import { EventPage } from './pages/event.tsx';
import { EventsPage } from './pages/events.tsx';
import { OrderPage, OrdersPage } from './pages/orders.tsx';
import { QueuePage } from './pages/queue.tsx';
import { Link, match, navigate, useLocation } from './router.tsx';
import { session, useSession } from './session.ts';

// staff: admins and door staff (the check-in page).
type Access = 'public' | 'user' | 'staff' | 'admin';
type Route = [pattern: string, access: Access, render: (p: Record<string, string>) => ComponentChildren];

const ROUTES: Route[] = [
  ['/', 'public', () => <EventsPage />],
  ['/events/:id', 'public', (p) => <EventPage id={p.id as string} />],
  ['/events/:id/queue', 'user', (p) => <QueuePage id={p.id as string} />],
  ['/login', 'public', () => <LoginPage />],
  ['/signup', 'public', () => <SignupPage />],
  ['/account', 'user', () => <AccountPage />],
  ['/checkout/:holdId', 'user', (p) => <CheckoutPage holdId={p.holdId as string} />],
  ['/orders', 'user', () => <OrdersPage />],
  ['/orders/:id', 'user', (p) => <OrderPage id={p.id as string} />],
  ['/admin', 'admin', () => <DashboardPage />],
  ['/admin/events/new', 'admin', () => <NewEventPage />],
  ['/admin/events/:id/orders', 'admin', (p) => <EventOrdersPage id={p.id as string} />],
  ['/admin/audit', 'admin', () => <AuditPage />],
  ['/admin/users', 'admin', () => <UsersPage />],
  ['/admin/webhooks', 'admin', () => <WebhooksPage />],
  ['/check-in', 'staff', () => <CheckInPage />],
];

function Page() {
  const { path, href } = useLocation();
  const current = useSession();

  for (const [pattern, access, render] of ROUTES) {
    const params = match(pattern, path);
    if (!params) continue;
    if (access !== 'public' && !current && session.restoring()) return <Loading label="Loading…" />;
    if (access !== 'public' && !current) return <Redirect to={`/login?next=${encodeURIComponent(href)}`} />;
    if (access === 'admin' && current?.user.role !== 'admin')
      return (
        <div class="narrow">
          <PageHeader title="Admins only" />
          <p>This page is for administrators. You are logged in as {current?.user.email}.</p>
          <Link href="/">See the events</Link>
        </div>
      );
    if (access === 'staff' && current?.user.role !== 'admin' && current?.user.role !== 'staff')
      return (
        <div class="narrow">
          <PageHeader title="Door staff only" />
          <p>This page is for admins and door staff. You are logged in as {current?.user.email}.</p>
          <Link href="/">See the events</Link>
        </div>
      );
    // A key per path: a new page starts with fresh state.
    return <div key={path}>{render(params)}</div>;
  }
  return (
    <div class="narrow">
      <PageHeader title="Page not found" />
      <p>
        There is nothing at this address. <Link href="/">See the events</Link>
      </p>
    </div>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Header() {
  const current = useSession();
  const { path } = useLocation();
  const here = (href: string) => (path === href ? 'page' : undefined);
  return (
    <header class="site-header">
      <div class="bar">
        <Link href="/" class="brand">
          <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
            <rect width="32" height="32" rx="6" fill="currentColor" />
            <path d="M7 10h18v4a2 2 0 0 0 0 4v4H7v-4a2 2 0 0 0 0-4z" fill="#fff" />
          </svg>
          Tickets
        </Link>
        <nav aria-label="Main">
          <Link href="/" aria-current={here('/')}>
            Events
          </Link>
          {current && (
            <Link href="/orders" aria-current={here('/orders')}>
              My tickets
            </Link>
          )}
          {(current?.user.role === 'admin' || current?.user.role === 'staff') && (
            <Link href="/check-in" aria-current={here('/check-in')}>
              Check-in
            </Link>
          )}
          {current?.user.role === 'admin' && (
            <Link href="/admin" aria-current={path.startsWith('/admin') ? 'page' : undefined}>
              Admin
            </Link>
          )}
          {current ? (
            <>
              <Link href="/account" aria-current={here('/account')} title={current.user.email}>
                Account
              </Link>
              <button
                type="button"
                class="link"
                onClick={() => {
                  session.end('logout');
                  myHolds.clear();
                  admissions.clear();
                  navigate('/');
                }}
              >
                Log out
              </button>
            </>
          ) : (
            <>
              <Link href="/login" aria-current={here('/login')}>
                Log in
              </Link>
              <Link href="/signup" class="button primary small" aria-current={here('/signup')}>
                Sign up
              </Link>
            </>
          )}
        </nav>
      </div>
    </header>
  );
}

export function App() {
  const { path } = useLocation();
  const firstRender = useRef(true);
  // After a navigation, focus the new page's heading so that screen readers
  // announce it and the keyboard starts from the top of the content.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const id = setTimeout(() => document.querySelector<HTMLElement>('main h1')?.focus(), 0);
    return () => clearTimeout(id);
  }, [path]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
      <footer class="site-footer">
        <p>
          A test shop: pay with the card 4242 4242 4242 4242. <a href="/api/v1/docs">API reference</a>
        </p>
      </footer>
    </>
  );
}
