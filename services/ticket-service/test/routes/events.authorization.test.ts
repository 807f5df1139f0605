// Who may call src/routes/events.ts: anyone; events and seat maps are public.
import { describe } from 'vitest';
import { useAuthorizationApp } from './support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from './support/authorization/matrix.ts';
import { EVENTS_ROWS } from './support/authorization/rows/events.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(EVENTS_ROWS);
});
