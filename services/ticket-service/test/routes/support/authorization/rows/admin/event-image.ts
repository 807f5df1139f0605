// src/routes/admin/event-image.ts: admins only.
import { createEvent } from '@tickets/testkit/app';
import { expect } from 'vitest';
import { API_PREFIX } from '../../../../../support/routes.ts';
import { app, owner } from '../../app.ts';
import { imageState, png, publicEvent, withImage } from '../../fixtures.ts';
import type { Row } from '../../matrix.ts';

export const ADMIN_EVENT_IMAGE_ROWS: Row[] = [
  {
    method: 'PUT',
    route: '/admin/events/:eventId/image',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const event = await createEvent(app, owner);
      return {
        url: `/admin/events/${event.id}/image`,
        headers: { 'content-type': 'image/png' },
        payload: await png(),
        unchanged: async () => {
          expect(await imageState(event.id)).toEqual({ eventHash: null, imageHash: null });
          expect((await publicEvent(event.id)).imageUrl).toBeNull();
        },
        verify: async (res) => {
          const { imageUrl } = res.json();
          expect(imageUrl).toMatch(new RegExp(`^${API_PREFIX}/events/${event.id}/image\\?v=`));
          expect((await publicEvent(event.id)).imageUrl).toBe(imageUrl);
          expect((await imageState(event.id)).imageHash).not.toBeNull();
        },
      };
    },
  },
  {
    method: 'DELETE',
    route: '/admin/events/:eventId/image',
    access: 'admin',
    success: 204,
    prepare: async () => {
      const { event, imageUrl } = await withImage();
      const before = await imageState(event.id);
      return {
        url: `/admin/events/${event.id}/image`,
        unchanged: async () => {
          expect(await imageState(event.id)).toEqual(before);
          expect((await publicEvent(event.id)).imageUrl).toBe(imageUrl);
        },
        verify: async () => {
          expect(await imageState(event.id)).toEqual({ eventHash: null, imageHash: null });
          expect((await publicEvent(event.id)).imageUrl).toBeNull();
        },
      };
    },
  },
];
