// Who may call src/routes/queue.ts: any signed-in buyer, for their own place in the
// waiting room.
import { describe } from 'vitest';
import { useAuthorizationApp } from './support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from './support/authorization/matrix.ts';
import { QUEUE_ROWS } from './support/authorization/rows/queue.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(QUEUE_ROWS);
});
