// The web client end to end: Debian's Chromium, driven by playwright-core, against
// a real local cluster (nginx gateway with TLS, two replicas, PostgreSQL, Redis)
// on free loopback ports. It shows what the issue asks: a customer buys two seats,
// a second browser sees them sold live, a declined card sells nothing, an admin
// creates an event and sees the sale, the buyer and the operation log.
//
// UPDATE_SCREENSHOTS=1 writes the README's screenshots to docs/screenshots/;
// otherwise they go to a temporary directory.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from '@tickets/infra/debian';
import { freePorts } from '@tickets/infra/free-port';
import { pollUntil } from '@tickets/infra/process';
import { clusterCommand } from '@tickets/testkit/cluster-cli';
import { httpsClient } from '@tickets/testkit/https-client';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const WAIT_MS = 15_000;
const GOOD_CARD = '4242 4242 4242 4242';
const DECLINED_CARD = '4000 0000 0000 0002';
const PASSWORD = 'a good long password';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(webDir, '../..');
const updateScreenshots = process.env.UPDATE_SCREENSHOTS === '1';

let runDir = '';
let webOut = '';
let shotsDir = '';
let gatewayUrl = '';
let api: ReturnType<typeof httpsClient> | undefined;
let browser: Browser | undefined;
let admin: { email: string; password: string };
let demoEventId = '';
/** Console errors and uncaught page errors, from every page. */
const browserProblems: string[] = [];
/** Console lines that a step expects (a 402 logged by Chromium for a declined card). */
const expectedConsole: RegExp[] = [];

interface Json {
  // biome-ignore lint/suspicious/noExplicitAny: test reads of API answers.
  [key: string]: any;
}

async function call(method: string, path: string, token?: string, body?: unknown) {
  if (!api) throw new Error('no cluster');
  const res = await api.call(method, `/api/v1${path}`, {
    body,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, json: (res.body ? JSON.parse(res.body) : undefined) as Json };
}

/** Builds the current source into a temporary directory (not services/web/dist, which others may be copying). */
function buildWeb(outDir: string): void {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: webDir,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
}

beforeAll(async () => {
  ensureDebianPackages([{ binary: CHROMIUM, pkg: 'chromium' }]);
  runDir = mkdtempSync(join(tmpdir(), 'tickets-web-e2e-'));
  chmodSync(runDir, 0o755);
  webOut = mkdtempSync(join(tmpdir(), 'tickets-web-build-'));
  shotsDir = updateScreenshots
    ? join(repoRoot, 'docs/screenshots')
    : mkdtempSync(join(tmpdir(), 'tickets-shots-'));
  mkdirSync(shotsDir, { recursive: true });
  buildWeb(webOut);

  const [https, http] = await freePorts(2);
  const started = await clusterCommand(
    runDir,
    ['up', '--detach', '--replicas', '2', '--https-port', String(https), '--http-port', String(http)],
    240_000,
  );
  if (started.code !== 0) throw new Error(`cluster up failed:\n${started.output}`);
  // The gateway serves <runDir>/www (a copy made at `up`); serve this build.
  const www = join(runDir, 'www');
  rmSync(www, { recursive: true, force: true });
  cpSync(webOut, www, { recursive: true });
  chmodSync(www, 0o755);

  const state = JSON.parse(readFileSync(join(runDir, 'cluster.json'), 'utf8')) as { gatewayUrl: string };
  gatewayUrl = state.gatewayUrl;
  api = httpsClient(gatewayUrl, readFileSync(join(runDir, 'tls/gateway.crt'), 'utf8'));
  const secrets = JSON.parse(readFileSync(join(runDir, 'secrets.json'), 'utf8'));
  admin = { email: secrets.adminEmail, password: secrets.adminPassword };
  const events = await call('GET', '/events');
  demoEventId = events.json.items.find((e: Json) => e.title === 'Demo Concert').id;

  // Someone else has already bought and held a few seats, so the map shows every colour.
  const other = await call('POST', '/auth/signup', undefined, {
    email: `early-bird-${randomUUID().slice(0, 8)}@example.test`,
    password: PASSWORD,
    name: 'Early Bird',
  });
  const bought = await api?.call('POST', `/api/v1/events/${demoEventId}/orders`, {
    body: { quantity: 4, payment: { method: 'test', card: '4242424242424242' } },
    headers: { authorization: `Bearer ${other.json.token}`, 'idempotency-key': randomUUID() },
  });
  expect(bought?.status).toBe(201);
  expect((await call('POST', `/events/${demoEventId}/holds`, other.json.token, { quantity: 3 })).status).toBe(
    201,
  );

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}, 600_000);

/** Waits for `work`, but not longer than `ms`: cleanup must not hang. */
const bounded = (work: Promise<unknown>, ms: number) =>
  Promise.race([work.catch(() => {}), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

afterAll(async () => {
  await bounded(browser?.close() ?? Promise.resolve(), 30_000);
  api?.close();
  // Also after a failed `up`: `down` stops whatever is left in the run directory.
  if (runDir && existsSync(runDir)) await bounded(clusterCommand(runDir, ['down']), 150_000);
  for (const dir of [runDir, webOut, updateScreenshots ? '' : shotsDir]) {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

async function newContext(viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

async function newPage(context: BrowserContext, name: string): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = `${message.text()} (${message.location().url})`;
    const expected = expectedConsole.findIndex((re) => re.test(text));
    if (expected >= 0) expectedConsole.splice(expected, 1);
    else browserProblems.push(`${name}: console error: ${text}`);
  });
  page.on('pageerror', (error) => browserProblems.push(`${name}: page error: ${error.message}`));
  return page;
}

const url = (path: string) => new URL(path, gatewayUrl).toString();

/** A 2400×1200 picture (sky, sea, a sun): larger than the API keeps, so it is scaled down. */
async function poster(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="1200">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#1d3b6b"/><stop offset="1" stop-color="#f0a35e"/></linearGradient></defs>
    <rect width="2400" height="1200" fill="url(#sky)"/>
    <circle cx="1700" cy="700" r="180" fill="#ffd27a"/>
    <rect y="760" width="2400" height="440" fill="#16324f"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function signUp(page: Page, next: string): Promise<string> {
  const email = `buyer-${randomUUID().slice(0, 8)}@example.test`;
  await page.goto(url(`/signup?next=${encodeURIComponent(next)}`));
  await page.getByLabel('Name').fill('Ada Buyer');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL((u) => u.pathname === next.split('?')[0]);
  return email;
}

async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(url('/login'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
}

/**
 * The statuses of `seatIds` in the seat map read through the gateway, once they are
 * `status`: the gateway may serve a copy up to its cache's TTL old (README, "Seat maps
 * at the gateway"), so the API agrees within that time, not at once.
 */
async function seatsThroughApi(seatIds: string[], status: string, eventId = demoEventId): Promise<string[]> {
  let statuses: string[] = [];
  await pollUntil(
    async () => {
      const map = await call('GET', `/events/${eventId}/seats`);
      statuses = seatIds.map((id) => map.json.seats.find((s: Json) => s.id === id).status);
      return statuses.every((s) => s === status);
    },
    `seats ${seatIds.join(', ')} to be ${status} through the API`,
    WAIT_MS,
    250,
  ).catch(() => undefined);
  return statuses;
}

const seatMapLive = (page: Page) => page.locator('[data-testid="seat-map"][data-live="live"]').waitFor();
const tokenOf = (page: Page) =>
  page.evaluate(
    () => (JSON.parse(sessionStorage.getItem('tickets.session') ?? '{}') as { token?: string }).token,
  );

/** Two available seats next to each other in one row. */
async function twoAdjacentSeats(page: Page): Promise<[string, string]> {
  const pair = await page.evaluate(() => {
    for (const row of document.querySelectorAll('.seat-row')) {
      const seats = [...row.querySelectorAll<HTMLElement>('button.seat')];
      for (let i = 0; i + 1 < seats.length; i++) {
        const [a, b] = [seats[i], seats[i + 1]];
        if (a?.dataset.status === 'available' && b?.dataset.status === 'available')
          return [a.dataset.seatId, b.dataset.seatId];
      }
    }
    return null;
  });
  if (!pair?.[0] || !pair[1]) throw new Error('no two adjacent available seats');
  return [pair[0], pair[1]];
}

const seat = (page: Page, id: string) => page.locator(`[data-seat-id="${id}"]`);

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  // Let the spinner-free, settled page be drawn (fonts, layout) before capturing.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage, animations: 'disabled' });
}

describe('web client in Chromium', () => {
  const buyer: { context?: BrowserContext; page?: Page; email: string } = { email: '' };

  it('when a customer signs up and buys two seats, then a second browser watching the event sees them sold without reloading', async () => {
    const watcherContext = await newContext();
    const watcher = await newPage(watcherContext, 'watcher');
    await watcher.goto(url(`/events/${demoEventId}`));
    await seatMapLive(watcher);
    await watcher.evaluate(() => {
      (window as unknown as { sameDocument: string }).sameDocument = 'yes';
    });

    buyer.context = await newContext();
    const page = await newPage(buyer.context, 'buyer');
    buyer.page = page;
    buyer.email = await signUp(page, `/events/${demoEventId}`);
    await seatMapLive(page);
    await page.getByRole('heading', { name: 'Demo Concert' }).waitFor();

    const [first, second] = await twoAdjacentSeats(page);
    await seat(page, first).click();
    await seat(page, second).click();
    expect(await seat(page, first).getAttribute('aria-pressed')).toBe('true');
    expect(await seat(page, second).getAttribute('data-status')).toBe('selected');
    await page.getByText('Total').waitFor();
    await shot(page, 'seat-map', true);

    await page.getByRole('button', { name: 'Hold 2 seats' }).click();
    await page.waitForURL(/\/checkout\//);
    // The countdown runs.
    const timer = page.locator('.countdown-time');
    const before = await timer.textContent();
    expect(before).toMatch(/^\d+:\d\d$/);
    await page.waitForFunction(
      (start) => document.querySelector('.countdown-time')?.textContent !== start,
      before,
    );
    // Both browsers see the seats held (the buyer's as "yours" once they are back on the map).
    await seat(watcher, first).and(watcher.locator('[data-status="held"]')).waitFor();

    await page.getByLabel('Card number').fill(GOOD_CARD);
    await shot(page, 'checkout');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(/\/orders\/[^/]+\?confirmed=1$/);
    await page.getByRole('heading', { name: /Thank you/ }).waitFor();
    await page.locator('svg.qr').nth(1).waitFor();
    const qrValues = await page
      .locator('svg.qr')
      .evaluateAll((svgs) => svgs.map((s) => s.getAttribute('data-qr-value')));
    // Each QR code is the ticket's signed code, not the seat id anyone could copy from the map.
    expect(qrValues).toHaveLength(2);
    for (const value of qrValues) expect(value).toMatch(/^t1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    expect(qrValues).not.toContain(first);
    expect(await page.locator('svg.qr path').count()).toBe(2);

    // The watcher's map turned sold through the stream, in the same document.
    await seat(watcher, first).and(watcher.locator('[data-status="sold"]')).waitFor();
    await seat(watcher, second).and(watcher.locator('[data-status="sold"]')).waitFor();
    expect(await watcher.evaluate(() => (window as unknown as { sameDocument?: string }).sameDocument)).toBe(
      'yes',
    );

    // Purchase history lists the order with a QR code per ticket; the event shows them as "yours".
    await page.getByRole('link', { name: 'My tickets' }).first().click();
    await page.getByRole('heading', { name: 'My tickets' }).waitFor();
    // The heading shows before the orders have loaded: wait for the tickets themselves.
    await page.locator('.ticket').nth(1).waitFor();
    expect(await page.locator('.ticket').count()).toBe(2);
    await page.goto(url(`/events/${demoEventId}`));
    await seat(page, first).and(page.locator('[data-status="mine"]')).waitFor();

    // And the API agrees.
    expect(await seatsThroughApi([first, second], 'sold')).toEqual(['sold', 'sold']);

    await watcherContext.close();
    expect(browserProblems).toEqual([]);
  }, 180_000);

  it('when door staff check a ticket in by its code, then it is admitted once, refused the second time, and a forged code is unknown', async () => {
    const shopper = buyer.page;
    if (!shopper) throw new Error('the first test did not leave a buyer');
    await shopper.goto(url('/orders'));
    await shopper.locator('svg.qr').first().waitFor();
    const code = (await shopper.locator('svg.qr').first().getAttribute('data-qr-value')) as string;
    const seatLabel = (await shopper.locator('.ticket-seat').first().textContent()) as string;

    // An admin adds a staff member (as the "Add a user" page does).
    const adminLogin = await call('POST', '/auth/login', undefined, admin);
    const staff = { email: `door-${randomUUID().slice(0, 8)}@example.test`, password: PASSWORD };
    const made = await call('POST', '/admin/users', adminLogin.json.token, {
      ...staff,
      name: 'Door Staff',
      role: 'staff',
    });
    expect(made.status).toBe(201);

    const context = await newContext({ width: 900, height: 900 });
    const page = await newPage(context, 'door');
    await logIn(page, staff.email, staff.password);
    // Staff see the door, not the admin pages.
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Check-in' }).click();
    await page.getByRole('heading', { name: 'Check-in' }).waitFor();
    await page.locator('#event').selectOption(demoEventId);
    // Headless Chromium on Linux has no BarcodeDetector: the page says so and offers the field.
    await page.locator('.camera-unavailable, .camera button').first().waitFor();

    await page.getByLabel('Ticket code').fill(code);
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.locator('[data-result="admitted"]', { hasText: seatLabel }).waitFor();
    await shot(page, 'check-in');

    expectedConsole.push(/status of 409/);
    await page.getByLabel('Ticket code').fill(code);
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.locator('[data-result="already"]', { hasText: 'First admitted' }).waitFor();

    expectedConsole.push(/status of 404/);
    // The same ticket id under a MAC that is not its own.
    await page.getByLabel('Ticket code').fill(`${code.slice(0, -2)}${code.endsWith('AA') ? 'QA' : 'AA'}`);
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.locator('[data-result="unknown"]').waitFor();

    // The buyer's ticket now says it was used.
    await shopper.reload();
    await shopper.locator('.ticket-checked-in').first().waitFor();
    await context.close();
    expect(browserProblems).toEqual([]);
  }, 120_000);

  it('when the card is declined, then nothing is sold, the seats stay held until given up, and the account still works', async () => {
    const context = await newContext();
    const page = await newPage(context, 'declined');
    const email = await signUp(page, `/events/${demoEventId}`);
    await seatMapLive(page);
    const [chosen] = await twoAdjacentSeats(page);
    await seat(page, chosen).click();
    await page.getByRole('button', { name: 'Hold 1 seat' }).click();
    await page.waitForURL(/\/checkout\//);

    await page.getByLabel('Card number').fill(DECLINED_CARD);
    // Chromium logs the 402 answer itself; the page shows it in words instead.
    expectedConsole.push(/status of 402/);
    await page.getByRole('button', { name: /^Pay / }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(
      'Your card was declined. Nothing was charged and no seats were bought.',
    );
    expect(page.url()).toContain('/checkout/');

    const token = await tokenOf(page);
    expect((await call('GET', '/orders', token)).json.items).toEqual([]);
    expect(await seatsThroughApi([chosen], 'held')).toEqual(['held']);

    await page.getByRole('button', { name: 'Give up these seats' }).click();
    await page.waitForURL((u) => u.pathname === `/events/${demoEventId}`);
    await seatMapLive(page);
    await seat(page, chosen).and(page.locator('[data-status="available"]')).waitFor();
    expect(await seatsThroughApi([chosen], 'available')).toEqual(['available']);
    expect((await call('GET', '/orders', token)).json.items).toEqual([]);

    // Change the password, log out, log in with the new one.
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(`${PASSWORD} 2`);
    await page.getByLabel('Repeat the new password').fill(`${PASSWORD} 2`);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password has been changed.').waitFor();
    expect((await call('GET', '/orders', token)).status).toBe(401);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in' }).first().waitFor();
    await logIn(page, email, `${PASSWORD} 2`);
    await page.getByRole('link', { name: 'My tickets' }).waitFor();

    await context.close();
    expect(expectedConsole).toEqual([]);
    expect(browserProblems).toEqual([]);
  }, 120_000);

  it('when an admin creates an event with two sections and a limit per customer, then the dashboard shows the sale live, its orders name the buyer, the operation log shows both and the limit is kept', async () => {
    const context = await newContext();
    const page = await newPage(context, 'admin');
    await logIn(page, admin.email, admin.password);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    const title = `Gala ${randomUUID().slice(0, 6)}`;
    await page.getByRole('link', { name: 'New event' }).first().click();
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Venue').fill('Riverside Hall');
    await page.getByLabel('Description').fill('An evening of chamber music.');
    await page.getByLabel('Name').first().fill('Stalls');
    await page.getByLabel('Rows').first().fill('4');
    await page.getByLabel('Seats per row').first().fill('10');
    await page
      .getByLabel(/^Price/)
      .first()
      .fill('40');
    await page.getByRole('button', { name: 'Add a section' }).click();
    await page.getByLabel('Name').nth(1).fill('Circle');
    await page.getByLabel('Rows').nth(1).fill('2');
    await page.getByLabel('Seats per row').nth(1).fill('8');
    await page
      .getByLabel(/^Price/)
      .nth(1)
      .fill('25.50');
    await page.getByLabel('Tickets per customer').fill('4');
    await page.getByText('2 sections · 56 seats').waitFor();
    expect(await page.locator('.preview button.seat').count()).toBe(56);
    await shot(page, 'admin-new-event', true);
    await page.getByRole('button', { name: 'Create event' }).click();
    await page.waitForURL((u) => u.pathname === '/admin');
    await page.getByText(`“${title}” was created with 56 seats`).waitFor();
    const row = page.locator('tr', { has: page.getByRole('link', { name: title }) });
    await row.locator('[data-col="sold"]').filter({ hasText: /^0$/ }).waitFor();

    // The customer from the first test buys the best two seats of the new event.
    const shopper = buyer.page;
    if (!shopper) throw new Error('the first test did not leave a buyer');
    await shopper.getByRole('link', { name: 'Events' }).click();
    await shopper.getByRole('link', { name: title }).click();
    await seatMapLive(shopper);
    // The event page says how many tickets one customer may buy.
    await shopper
      .getByTestId('ticket-limit')
      .filter({ hasText: 'One customer may buy up to 4 tickets for this event' })
      .waitFor();
    // In the layout's order, not by name (Circle would come first).
    expect(await shopper.locator('.seat-section h3 .section-name').allTextContents()).toEqual([
      'Stalls',
      'Circle',
    ]);
    await shopper.getByLabel('Number of seats').fill('2');
    await shopper.getByRole('button', { name: 'Find the best seats' }).click();
    await shopper.waitForURL(/\/checkout\//);
    await shopper.getByLabel('Card number').fill(GOOD_CARD);
    await shopper.getByRole('button', { name: /^Pay / }).click();
    await shopper.getByRole('heading', { name: /Thank you/ }).waitFor();

    // The dashboard polls: the sale appears without reloading.
    await row.locator('[data-col="sold"]').filter({ hasText: /^2$/ }).waitFor();
    await row.locator('[data-col="orders"]').filter({ hasText: /^1$/ }).waitFor();
    await shot(page, 'admin-dashboard', true);

    await row.getByRole('link', { name: 'Orders' }).click();
    await page.getByRole('heading', { name: `Orders for ${title}` }).waitFor();
    await page.locator('[data-col="buyer"]', { hasText: buyer.email }).waitFor();
    expect(await page.locator('[data-stat="max-per-customer"]').textContent()).toBe('4');

    // The operation log, opened in a new tab (the session follows), shows the
    // event's creation and the order, and picks up a new order by itself.
    const log = await newPage(context, 'admin log');
    await log.goto(url('/admin/audit'));
    await log.getByRole('heading', { name: 'Operation log' }).waitFor();
    await log.locator('tr[data-action="event.create"]', { hasText: title }).waitFor();
    const orderRows = log.locator('tr[data-action="order.create"]', { hasText: buyer.email });
    await orderRows.first().waitFor();
    const ordersBefore = await orderRows.count();
    await shot(log, 'admin-operation-log');

    await shopper.goto(url('/'));
    await shopper.getByRole('link', { name: title }).click();
    await seatMapLive(shopper);
    await shopper.getByLabel('Number of seats').fill('1');
    await shopper.getByRole('button', { name: 'Find the best seats' }).click();
    await shopper.waitForURL(/\/checkout\//);
    await shopper.getByLabel('Card number').fill(GOOD_CARD);
    await shopper.getByRole('button', { name: /^Pay / }).click();
    await shopper.getByRole('heading', { name: /Thank you/ }).waitFor();
    await log.waitForFunction(
      ([email, n]) =>
        [...document.querySelectorAll('tr[data-action="order.create"]')].filter((r) =>
          r.textContent?.includes(email as string),
        ).length > (n as number),
      [buyer.email, ordersBefore],
    );

    // 3 of 4 bought: two more are refused in words, with what is left.
    await shopper.goto(url('/'));
    await shopper.getByRole('link', { name: title }).click();
    await seatMapLive(shopper);
    await shopper.getByLabel('Number of seats').fill('2');
    expectedConsole.push(/status of 409/);
    await shopper.getByRole('button', { name: 'Find the best seats' }).click();
    const refusal = shopper.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(
      'One customer may have at most 4 tickets for this event (seats on hold count too): you may get 1 more. Please choose 1 seat.',
    );
    expect(shopper.url()).not.toContain('/checkout/');

    await context.close();
    expect(expectedConsole).toEqual([]);
    expect(browserProblems).toEqual([]);
  }, 180_000);

  it("when an admin cancels a buyer's order on the event's admin page, then the buyer's history shows it cancelled without QR codes and its seats are on sale again", async () => {
    const adminToken = (await call('POST', '/auth/login', undefined, admin)).json.token as string;
    const title = `Matinee ${randomUUID().slice(0, 6)}`;
    const created = await call('POST', '/admin/events', adminToken, {
      title,
      description: 'An afternoon show.',
      venue: 'Corn Exchange',
      startsAt: new Date(Date.now() + 30 * 86400_000).toISOString(),
      currency: 'EUR',
      layout: { sections: [{ name: 'Stalls', rows: 3, seatsPerRow: 8, priceCents: 3500 }] },
    });
    expect(created.status).toBe(201);
    const eventId = created.json.id as string;
    const buy = async (token: string, quantity: number) => {
      const res = await api?.call('POST', `/api/v1/events/${eventId}/orders`, {
        body: { quantity, payment: { method: 'test', card: '4242424242424242' } },
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
      });
      expect(res?.status).toBe(201);
      return JSON.parse(res?.body ?? '{}') as Json;
    };

    // The buyer (in the browser) and another customer each have an order.
    const buyerContext = await newContext();
    const page = await newPage(buyerContext, 'cancelled buyer');
    const email = await signUp(page, `/events/${eventId}`);
    await seatMapLive(page);
    const order = await buy((await tokenOf(page)) as string, 2);
    const seatIds = (order.seats as Json[]).map((s) => s.id as string);
    const other = await call('POST', '/auth/signup', undefined, {
      email: `keeper-${randomUUID().slice(0, 8)}@example.test`,
      password: PASSWORD,
      name: 'Kept Order',
    });
    await buy(other.json.token, 1);

    await page.goto(url('/orders'));
    const card = page.locator(`article[data-order-id="${order.id}"]`);
    await card.and(page.locator('[data-status="confirmed"]')).waitFor();
    await card.locator('svg.qr').nth(1).waitFor();

    // The admin cancels it from the event's orders page (after confirming).
    const adminContext = await newContext();
    const adminPage = await newPage(adminContext, 'admin cancel');
    await logIn(adminPage, admin.email, admin.password);
    await adminPage.goto(url(`/admin/events/${eventId}/orders`));
    await adminPage.getByRole('heading', { name: `Orders for ${title}` }).waitFor();
    const row = adminPage.locator('tr', { has: adminPage.locator('[data-col="buyer"]', { hasText: email }) });
    await adminPage.locator('[data-stat="sold"]').filter({ hasText: /^3$/ }).waitFor();
    let question = '';
    adminPage.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await row.getByRole('button', { name: 'Cancel order' }).click();
    await row.locator('[data-col="status"]').getByText('Cancelled').waitFor();
    expect(question).toContain(email);
    // The totals follow; the other customer's order can still be cancelled.
    await adminPage.locator('[data-stat="sold"]').filter({ hasText: /^1$/ }).waitFor();
    expect(await adminPage.getByRole('button', { name: 'Cancel order' }).count()).toBe(1);
    await shot(adminPage, 'admin-cancel-order', true);

    // The buyer's history shows the order cancelled, with no QR code left to show at the door.
    await page.reload();
    await card.and(page.locator('[data-status="cancelled"]')).waitFor();
    expect(await card.locator('.order-cancelled-note').textContent()).toMatch(
      /^Cancelled on .+\. These tickets are no longer valid/,
    );
    expect(await card.locator('svg.qr').count()).toBe(0);
    expect(await card.locator('.ticket-id').count()).toBe(0);
    expect(await card.locator('.ticket').count()).toBe(2);
    await shot(page, 'order-cancelled', true);

    // Its seats are on sale again on the seat map (not "yours"), and the API agrees.
    await card.getByRole('link', { name: title }).click();
    await page.waitForURL((u) => u.pathname === `/events/${eventId}`);
    await seatMapLive(page);
    for (const id of seatIds) await seat(page, id).and(page.locator('[data-status="available"]')).waitFor();
    expect(await seatsThroughApi(seatIds, 'available', eventId)).toEqual(['available', 'available']);

    await adminContext.close();
    await buyerContext.close();
    expect(browserProblems).toEqual([]);
  }, 120_000);

  it('when an event has a waiting room, then a customer queues, sees their place and wait, is let in and holds seats with the admission', async () => {
    const adminToken = (await call('POST', '/auth/login', undefined, admin)).json.token as string;
    const created = await call('POST', '/admin/events', adminToken, {
      title: `Premiere ${randomUUID().slice(0, 6)}`,
      description: 'A sale with a waiting room.',
      venue: 'Queue Hall',
      startsAt: new Date(Date.now() + 20 * 86400_000).toISOString(),
      currency: 'EUR',
      // One customer every 5 s: the two who joined first are let in before the browser's customer.
      waitingRoom: { enabled: true, admitPerMinute: 12 },
      layout: { sections: [{ name: 'Stalls', rows: 4, seatsPerRow: 12, priceCents: 6500 }] },
    });
    expect(created.status).toBe(201);
    const eventId = created.json.id as string;
    for (const i of [1, 2]) {
      const ahead = await call('POST', '/auth/signup', undefined, {
        email: `ahead-${i}-${randomUUID().slice(0, 8)}@example.test`,
        password: PASSWORD,
        name: `Ahead ${i}`,
      });
      expect((await call('POST', `/events/${eventId}/queue`, ahead.json.token)).status).toBe(200);
    }

    const context = await newContext();
    const page = await newPage(context, 'queue');
    await signUp(page, `/events/${eventId}`);
    // The map is there to look at; the panel leads to the queue.
    await page.getByTestId('waiting-room').waitFor();
    await seatMapLive(page);
    await page.getByRole('link', { name: 'Join the queue' }).click();
    await page.waitForURL((u) => u.pathname === `/events/${eventId}/queue`);
    const waiting = page.locator('[data-testid="queue"][data-state="waiting"]');
    await waiting.waitFor();
    expect(Number(await waiting.getAttribute('data-position'))).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.queue-wait').textContent()).toMatch(/^\d+:\d\d$/);
    await shot(page, 'waiting-room');

    // Let in on schedule (at most about 10 s from now), then on to the seat map by itself.
    await page.locator('[data-testid="queue"][data-state="admitted"]').waitFor({ timeout: 30_000 });
    await page.waitForURL((u) => u.pathname === `/events/${eventId}`);
    await seatMapLive(page);
    await page.getByTestId('admitted').waitFor();
    const [chosen] = await twoAdjacentSeats(page);
    await seat(page, chosen).click();
    await page.getByRole('button', { name: 'Hold 1 seat' }).click();
    await page.waitForURL(/\/checkout\//);

    // The same customer without the admission is refused by the API.
    const refused = await call('POST', `/events/${eventId}/holds`, await tokenOf(page), { quantity: 1 });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('ADMISSION_REQUIRED');
    await context.close();
    expect(browserProblems).toEqual([]);
  }, 120_000);

  it('when an admin creates an event with an image and exports its orders, then the list and the event page show the image and the CSV downloads', async () => {
    const context = await newContext();
    const page = await newPage(context, 'admin images');
    await logIn(page, admin.email, admin.password);
    await page.goto(url('/admin/events/new'));
    const title = `Harbour Lights ${randomUUID().slice(0, 6)}`;
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Venue').fill('Old Harbour Stage');
    await page.getByLabel('Description').fill('Open-air concert by the water.');
    await page.getByLabel('Name').first().fill('Front');
    await page.getByLabel('Rows').first().fill('3');
    await page.getByLabel('Seats per row').first().fill('8');
    await page
      .getByLabel(/^Price/)
      .first()
      .fill('30');
    await page.getByLabel('Image (optional)').setInputFiles({
      name: 'harbour.png',
      mimeType: 'image/png',
      buffer: await poster(),
    });
    await page.getByRole('button', { name: 'Create event' }).click();
    await page.waitForURL((u) => u.pathname === '/admin');
    await page.getByText(`“${title}” was created`).waitFor();

    // The event list and the event page show it (decoded: the bytes are a real image).
    await page.goto(url('/'));
    const card = page.locator('.event-card', { has: page.getByRole('link', { name: title }) });
    const thumb = card.locator('img.event-card-image');
    await thumb.waitFor();
    await page.waitForFunction(
      (img) => (img as HTMLImageElement).naturalWidth > 0,
      await thumb.elementHandle(),
    );
    await card.getByRole('link', { name: title }).click();
    await seatMapLive(page);
    const banner = page.locator('img.event-banner');
    await page.waitForFunction(
      (img) => (img as HTMLImageElement).naturalWidth === 1600,
      await banner.elementHandle(),
    );
    await shot(page, 'event-image');

    // The admin's event page: a text file named .png is refused in words, nothing changes.
    const eventId = page.url().split('/events/')[1]?.split(/[/?#]/)[0] as string;
    await page.goto(url(`/admin/events/${eventId}/orders`));
    await page.getByRole('heading', { name: `Orders for ${title}` }).waitFor();
    const before = await page.locator('img.event-image').getAttribute('src');
    expectedConsole.push(/415/);
    await page.getByLabel(/^Replace with/).setInputFiles({
      name: 'notes.png',
      mimeType: 'image/png',
      buffer: Buffer.from('not a picture at all'),
    });
    await page.getByRole('button', { name: 'Save image' }).click();
    await page.getByText('That file is not a picture we can use.').waitFor();
    expect(await page.locator('img.event-image').getAttribute('src')).toBe(before);

    // The CSV: a header row even before any sale.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download orders (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^Harbour-Lights-[\w]+-orders\.csv$/);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^order_id,order_created_at,/);
    await context.close();
    expect(browserProblems).toEqual([]);
  }, 120_000);

  it('when the screen is phone-sized, then the event page fits its width and the seats can still be chosen', async () => {
    const context = await newContext({ width: 390, height: 844 });
    const page = await newPage(context, 'phone');
    await page.goto(url(`/events/${demoEventId}`));
    await seatMapLive(page);
    const [first] = await twoAdjacentSeats(page);
    await seat(page, first).scrollIntoViewIfNeeded();
    await seat(page, first).click();
    await page.getByRole('button', { name: 'Hold 1 seat' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'seat-map-phone');
    await context.close();
    expect(browserProblems).toEqual([]);
  }, 60_000);

  it('when a seat is reached with the keyboard, then the arrow keys move between seats and Space selects', async () => {
    const context = await newContext();
    const page = await newPage(context, 'keyboard');
    await page.goto(url(`/events/${demoEventId}`));
    await seatMapLive(page);
    const firstSeat = page.locator('.seat-section').first().locator('button.seat[tabindex="0"]');
    await firstSeat.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const focused = page.locator('button.seat:focus');
    expect(await focused.getAttribute('data-r')).toBe('1');
    expect(await focused.getAttribute('data-c')).toBe('1');
    const status = await focused.getAttribute('data-status');
    await page.keyboard.press('Space');
    if (status === 'available') expect(await focused.getAttribute('data-status')).toBe('selected');
    await context.close();
    expect(browserProblems).toEqual([]);
  }, 60_000);
});
