import { type Static, Type } from 'typebox';

/** What an image upload answers: the stored image, as it will be served. */
export const EventImage = Type.Object({
  imageUrl: Type.String({ description: "the event's imageUrl from now on (changes with every image)" }),
  contentType: Type.Literal('image/webp'),
  width: Type.Integer(),
  height: Type.Integer(),
  bytes: Type.Integer({ description: 'size of the stored image' }),
});
export type EventImage = Static<typeof EventImage>;
