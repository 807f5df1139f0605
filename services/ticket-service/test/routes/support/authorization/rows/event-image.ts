// src/routes/event-image.ts: an event's image is public.
import sharp from 'sharp';
import { expect } from 'vitest';
import { API_PREFIX } from '../../../../support/routes.ts';
import { withImage } from '../fixtures.ts';
import type { Row } from '../matrix.ts';

export const EVENT_IMAGE_ROWS: Row[] = [
  {
    method: 'GET',
    route: '/events/:eventId/image',
    access: 'public',
    success: 200,
    prepare: async () => {
      const { imageUrl } = await withImage();
      return {
        url: imageUrl.slice(API_PREFIX.length),
        verify: async (res) => {
          expect(res.headers['content-type']).toBe('image/webp');
          expect((await sharp(res.rawPayload).metadata()).format).toBe('webp');
        },
      };
    },
  },
];
