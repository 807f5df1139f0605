// The soak's steady background while the sale runs: seat-map reads, holds that are
// released again (HOLD_TTL is 600 s: left alone they would only expire after the run)
// and a few seat-stream subscribers; and the 10 s sampler beside them.
import { request } from 'node:https';
import type { Options } from '../options.ts';
import type { Api, PreparedBuyer, PreparedEvent, Target } from '../target.ts';
import { SseParser } from '../watch/sse.ts';
import { SAMPLE_SECONDS, soakSampler } from './sampler.ts';

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)] as T;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The background of the sale and the 10 s sampler; `stop` ends both. */
export function background(
  o: Options,
  target: Target,
  client: Api,
  events: PreparedEvent[],
  buyers: PreparedBuyer[],
) {
  const counts = {
    seatMapReads: 0,
    seatMapErrors: 0,
    subscribers: 0,
    streamEvents: 0,
    streamReconnects: 0,
    holds: 0,
    holdsReleased: 0,
    holdErrors: 0,
  };
  const sampler = soakSampler(target);
  let running = true;
  const loops: Promise<void>[] = [];
  const openStreams = new Set<() => void>();

  // Seat-map reads through the gateway: a steady few per second.
  const readMaps = async () => {
    while (running) {
      const e = pick(events);
      await client
        .call('GET', `/api/v1/events/${e.id}/seats`)
        .then((r) => {
          if (r.status === 200) counts.seatMapReads++;
          else counts.seatMapErrors++;
        })
        .catch(() => counts.seatMapErrors++);
      await sleep(200);
    }
  };
  // Holds that are released again: one every second or so, released after 1–3 s.
  const holdAndRelease = async () => {
    while (running) {
      const buyer = pick(buyers);
      const auth = { authorization: `Bearer ${buyer.token}` };
      try {
        const hold = await client.call(
          'POST',
          `/api/v1/events/${pick(events).id}/holds`,
          { quantity: 1 },
          auth,
        );
        if (hold.status === 201 && hold.json?.id) {
          counts.holds++;
          await sleep(1000 + Math.random() * 2000);
          const released = await client.call('DELETE', `/api/v1/holds/${hold.json.id}`, undefined, auth);
          if (released.status >= 200 && released.status < 300) counts.holdsReleased++;
          else counts.holdErrors++;
        } else counts.holdErrors++;
      } catch {
        counts.holdErrors++;
      }
      await sleep(1000);
    }
  };
  // A few seat-stream subscribers, reconnecting when a stream ends.
  const subscribe = async (eventId: string) => {
    while (running) {
      await new Promise<void>((done) => {
        const parser = new SseParser();
        const req = request(new URL(`/api/v1/events/${eventId}/stream`, target.baseUrl), {
          ca: target.ca,
          headers: { accept: 'text/event-stream' },
        });
        const close = () => {
          req.destroy();
          done();
        };
        openStreams.add(close);
        req.on('response', (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            counts.streamEvents += parser.push(chunk).length;
          });
          res.on('end', close);
          res.on('error', close);
        });
        req.on('error', close);
        req.on('close', () => {
          openStreams.delete(close);
          done();
        });
        req.end();
      });
      if (running) {
        counts.streamReconnects++;
        await sleep(1000);
      }
    }
  };
  let timer: NodeJS.Timeout | undefined;

  return {
    counts,
    samples: sampler.samples,
    start: async () => {
      await sampler.open();
      loops.push(readMaps(), holdAndRelease());
      const subscribers = Math.min(o.subscribers ?? 5, 50);
      counts.subscribers = subscribers;
      for (let i = 0; i < subscribers; i++) loops.push(subscribe(events[i % events.length]?.id as string));
      await sampler.take();
      timer = setInterval(() => void sampler.take(), SAMPLE_SECONDS * 1000);
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await sampler.take();
      running = false;
      for (const close of openStreams) close();
      await Promise.all(loops);
      await sampler.close();
    },
  };
}
