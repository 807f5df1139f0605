// The admin pages in Chromium: an event created with two sections and a limit per
// customer, its sale seen live, and an order cancelled from the event's orders.
import { randomUUID } from 'node:crypto';
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
  url,
} from './pages.ts';
import { admin, api, call, GOOD_CARD, type Json, PASSWORD, useWebClient } from './support.ts';

useWebClient();

describe('web client in Chromium', () => {
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

    // A customer buys the best two seats of the new event.
    const shopper = await newPage(await newContext(), 'buyer');
    const buyer = { email: await signUp(shopper, '/') };
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
});
