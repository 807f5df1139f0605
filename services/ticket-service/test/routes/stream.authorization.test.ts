// Who may call src/routes/stream.ts: anyone; the seat stream is public (and is
// requested from the listening server, since it never ends).
import { describe } from 'vitest';
import { useAuthorizationApp } from './support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from './support/authorization/matrix.ts';
import { STREAM_ROWS } from './support/authorization/rows/stream.ts';

useAuthorizationApp({ listen: true });

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(STREAM_ROWS);
});
