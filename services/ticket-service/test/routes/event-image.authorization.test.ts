// Who may call src/routes/event-image.ts: anyone; an event's image is public.
import { describe } from 'vitest';
import { useAuthorizationApp } from './support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from './support/authorization/matrix.ts';
import { EVENT_IMAGE_ROWS } from './support/authorization/rows/event-image.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(EVENT_IMAGE_ROWS);
});
