// Event images: uploaded as raw bytes, judged from the bytes, re-encoded by sharp
// (bounded size, no metadata), stored in PostgreSQL and served with a strong ETag
// under a URL that changes with the image.
import { randomBytes, randomUUID } from 'node:crypto';
import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES, MAX_IMAGE_SIDE } from '../src/domain/events/image-encoding.ts';

let app: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  app = await buildTestApp();
  admin = await createAdmin(app);
});
afterAll(async () => {
  await app?.close();
});

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 60, b: 40 } } });

const put = (eventId: string, body: Buffer, type = 'image/png', user: TestUser = admin) =>
  app.inject({
    method: 'PUT',
    url: `/api/v1/admin/events/${eventId}/image`,
    headers: { ...bearer(user), 'content-type': type },
    payload: body,
  });
const getImage = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });
const getEvent = async (id: string) => (await app.inject({ url: `/api/v1/events/${id}` })).json();
/** The event as the public list shows it, page by page (other test files add events to the same database). */
async function listedEvent(id: string): Promise<{ id: string; imageUrl: string | null } | undefined> {
  let cursor: string | undefined;
  do {
    const page = (
      await app.inject({ url: `/api/v1/events?limit=100${cursor ? `&cursor=${cursor}` : ''}` })
    ).json();
    const found = page.items.find((e: { id: string }) => e.id === id);
    if (found) return found;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return undefined;
}

describe('event images', () => {
  it('when an admin uploads a PNG, then the event names it and it is served as WebP with a strong ETag, cached for good', async () => {
    const event = await createEvent(app, admin);
    expect((await getEvent(event.id)).imageUrl).toBeNull();

    const res = await put(event.id, await solid(400, 300).png().toBuffer());
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ contentType: 'image/webp', width: 400, height: 300 });
    expect(body.imageUrl).toMatch(new RegExp(`^/api/v1/events/${event.id}/image\\?v=[0-9a-f]{16}$`));
    expect((await getEvent(event.id)).imageUrl).toBe(body.imageUrl);
    expect((await listedEvent(event.id))?.imageUrl).toBe(body.imageUrl);

    const image = await getImage(body.imageUrl);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/webp');
    expect(image.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(image.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(String(image.headers.etag)).toContain(body.imageUrl.split('v=')[1]);
    expect(image.rawPayload.length).toBe(body.bytes);
    const meta = await sharp(image.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 400, height: 300 });

    // Revalidation: the same ETag → 304 without a body, and without the bytes read.
    const again = await getImage(body.imageUrl, { 'if-none-match': String(image.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(image.headers.etag);
    // The unversioned URL may show another image tomorrow: revalidated on every use.
    const bare = await getImage(`/api/v1/events/${event.id}/image`);
    expect(bare.statusCode).toBe(200);
    expect(bare.headers['cache-control']).toBe('no-cache');
    expect(bare.headers.etag).toBe(image.headers.etag);
  });

  it('when an image is larger than 1600 px, then it is scaled down to fit and its metadata dropped', async () => {
    const event = await createEvent(app, admin);
    const jpeg = await solid(3200, 1800)
      .jpeg()
      .withExif({ IFD0: { Copyright: 'secret', Artist: 'uploader' } })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const res = await put(event.id, jpeg, 'image/jpeg');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ width: MAX_IMAGE_SIDE, height: 900 });
    const served = await getImage(res.json().imageUrl);
    const meta = await sharp(served.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: MAX_IMAGE_SIDE, height: 900 });
    expect(meta.exif).toBeUndefined();
    expect(served.rawPayload.includes(Buffer.from('secret'))).toBe(false);
  });

  it('when the image is replaced, then the URL changes; when it is removed, then the event has none and the image is 404', async () => {
    const event = await createEvent(app, admin);
    const first = (await put(event.id, await solid(100, 100).png().toBuffer())).json();
    const webp = await solid(120, 80).webp().toBuffer();
    const second = await put(event.id, webp, 'image/webp');
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json().imageUrl).not.toBe(first.imageUrl);
    expect((await getEvent(event.id)).imageUrl).toBe(second.json().imageUrl);
    // The old URL now shows the current image, never kept for good.
    const old = await getImage(first.imageUrl);
    expect(old.headers['cache-control']).toBe('no-cache');
    expect((await sharp(old.rawPayload).metadata()).width).toBe(120);

    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/events/${event.id}/image`,
      headers: bearer(admin),
    });
    expect(removed.statusCode).toBe(204);
    expect((await getEvent(event.id)).imageUrl).toBeNull();
    const gone = await getImage(second.json().imageUrl);
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toContain('application/problem+json');
    // Removing again is harmless.
    const again = await app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/events/${event.id}/image`,
      headers: bearer(admin),
    });
    expect(again.statusCode).toBe(204);
  });

  it('when the upload is not an image, too large, of another type or not from an admin, then it is refused and nothing changes', async () => {
    const event = await createEvent(app, admin);
    const good = (await put(event.id, await solid(64, 64).png().toBuffer())).json();
    const refused = async (res: Awaited<ReturnType<typeof put>>, status: number, code: string) => {
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(code);
      expect((await getEvent(event.id)).imageUrl).toBe(good.imageUrl);
    };
    // A text file named .png (and sent as image/png).
    await refused(
      await put(event.id, Buffer.from('this is not a picture\n'), 'image/png'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    // Magic number of a PNG, and then garbage.
    const fake = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(200)]);
    await refused(await put(event.id, fake, 'image/png'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // Image types other than JPEG, PNG, WebP, whatever the header says.
    await refused(
      await put(event.id, await solid(10, 10).gif().toBuffer(), 'image/png'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await refused(await put(event.id, svg, 'image/svg+xml'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // A real PNG sent as something else: the header must name an image type.
    await refused(
      await put(event.id, await solid(10, 10).png().toBuffer(), 'text/plain'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    // Over 2 MiB (noise does not compress).
    const noisy = await sharp(randomBytes(1000 * 1000 * 3), {
      raw: { width: 1000, height: 1000, channels: 3 },
    })
      .png()
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(MAX_IMAGE_BYTES);
    await refused(await put(event.id, noisy, 'image/png'), 413, 'PAYLOAD_TOO_LARGE');
    // A customer.
    const customer = await signup(app, 'image');
    await refused(
      await put(event.id, await solid(10, 10).png().toBuffer(), 'image/png', customer),
      403,
      'FORBIDDEN',
    );
  });

  it('when the event does not exist, then uploading and reading its image are 404', async () => {
    const id = randomUUID();
    const res = await put(id, await solid(10, 10).png().toBuffer());
    expect(res.statusCode).toBe(404);
    expect((await getImage(`/api/v1/events/${id}/image`)).statusCode).toBe(404);
  });
});
