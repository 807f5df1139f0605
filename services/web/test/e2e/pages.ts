// The browser side of the end-to-end tests: contexts and pages that record what the
// console and the page report, and the steps the tests share.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pollUntil } from '@tickets/infra/process';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { browser, call, demoEventId, gatewayUrl, type Json, PASSWORD, shotsDir, WAIT_MS } from './support.ts';

/** Console errors and uncaught page errors, from every page. */
export const browserProblems: string[] = [];
/** Console lines that a step expects (a 402 logged by Chromium for a declined card). */
export const expectedConsole: RegExp[] = [];

export async function newContext(viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
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

export async function newPage(context: BrowserContext, name: string): Promise<Page> {
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

export const url = (path: string) => new URL(path, gatewayUrl).toString();

/** A 2400×1200 picture (sky, sea, a sun): larger than the API keeps, so it is scaled down. */
export async function poster(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="1200">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#1d3b6b"/><stop offset="1" stop-color="#f0a35e"/></linearGradient></defs>
    <rect width="2400" height="1200" fill="url(#sky)"/>
    <circle cx="1700" cy="700" r="180" fill="#ffd27a"/>
    <rect y="760" width="2400" height="440" fill="#16324f"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function signUp(page: Page, next: string): Promise<string> {
  const email = `buyer-${randomUUID().slice(0, 8)}@example.test`;
  await page.goto(url(`/signup?next=${encodeURIComponent(next)}`));
  await page.getByLabel('Name').fill('Ada Buyer');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL((u) => u.pathname === next.split('?')[0]);
  return email;
}

export async function logIn(page: Page, email: string, password: string): Promise<void> {
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
export async function seatsThroughApi(
  seatIds: string[],
  status: string,
  eventId = demoEventId,
): Promise<string[]> {
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

export const seatMapLive = (page: Page) =>
  page.locator('[data-testid="seat-map"][data-live="live"]').waitFor();
export const tokenOf = (page: Page) =>
  page.evaluate(
    () => (JSON.parse(sessionStorage.getItem('tickets.session') ?? '{}') as { token?: string }).token,
  );

/** Two available seats next to each other in one row. */
export async function twoAdjacentSeats(page: Page): Promise<[string, string]> {
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

export const seat = (page: Page, id: string) => page.locator(`[data-seat-id="${id}"]`);

export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  // Let the spinner-free, settled page be drawn (fonts, layout) before capturing.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage, animations: 'disabled' });
}
