// A customer's purchase in Chromium, from the seat map to the door: a second browser
// sees the seats sold live, staff check the ticket in once, and a declined card sells
// nothing.
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  browserProblems,
  expectedConsole,
  logIn,
  newContext,
  newPage,
  seat,
  seatMapLive,
  seatsThroughApi,
  shot,
  signUp,
  tokenOf,
  twoAdjacentSeats,
  url,
} from './pages.ts';
import { admin, call, DECLINED_CARD, demoEventId, GOOD_CARD, PASSWORD, useWebClient } from './support.ts';

useWebClient();

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
});
