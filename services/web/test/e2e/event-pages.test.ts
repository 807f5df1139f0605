// Event pages in Chromium: the waiting room, an event's image and order export, a
// phone-sized screen, and the seat map by keyboard.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  browserProblems,
  expectedConsole,
  logIn,
  newContext,
  newPage,
  poster,
  seat,
  seatMapLive,
  shot,
  signUp,
  tokenOf,
  twoAdjacentSeats,
  url,
} from './pages.ts';
import { admin, call, demoEventId, PASSWORD, useWebClient } from './support.ts';

useWebClient();

describe('web client in Chromium', () => {
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
