// How many writes Redis clients make on their sockets while `fn` runs: what the
// turn pipelines (src/lib/turn-pipeline.ts) exist to keep at one per turn.
import type { Redis } from 'ioredis';

type Writable = { write: (...args: unknown[]) => boolean };

export async function writesDuring<T>(
  redis: Redis | Redis[],
  fn: () => Promise<T>,
): Promise<{ writes: number; result: T }> {
  const streams = (Array.isArray(redis) ? redis : [redis]).map(
    (r) => (r as unknown as { stream: Writable }).stream,
  );
  const originals = streams.map((s) => s.write);
  let writes = 0;
  for (const [i, stream] of streams.entries()) {
    const write = originals[i] as Writable['write'];
    stream.write = (...args: unknown[]) => {
      writes++;
      return write.apply(stream, args);
    };
  }
  try {
    const result = await fn();
    return { writes, result };
  } finally {
    for (const [i, stream] of streams.entries()) stream.write = originals[i] as Writable['write'];
  }
}
