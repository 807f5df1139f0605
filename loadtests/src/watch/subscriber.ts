// One subscriber process of the watch scenario (forked with an IPC channel):
// opens `count` streams of one event's seat changes through the gateway and
// records, per subscriber and seat, when it first saw the seat sold.
//
//   parent → {type:'start', config}          child → {type:'ready', connected, failed}
//   parent → {type:'finish', orders, graceMs} child → {type:'result', …} and exits
//
// Cheap on purpose: plain node:http2 streams (up to 100 per TLS connection, below
// nginx's 128 concurrent streams) or node:https (one TLS connection each), one
// JSON.parse per distinct message per process, a Float64Array per subscriber.
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';
import { Agent, request } from 'node:https';
import { orderLatencies, type SubscriberProcessResult, type WatchOrder } from './latency.ts';
import { SseParser } from './sse.ts';

export interface SubscriberConfig {
  baseUrl: string;
  ca?: string;
  eventId: string;
  seatIds: string[];
  count: number;
  http: 1 | 2;
  streamsPerConnection: number;
  connectTimeoutMs: number;
  /** Streams being opened at once. */
  concurrency: number;
}

export type ParentMessage =
  | { type: 'start'; config: SubscriberConfig }
  | { type: 'finish'; orders: WatchOrder[]; graceMs: number };

export type ChildMessage =
  | { type: 'ready'; connected: number; failed: number }
  | ({ type: 'result' } & SubscriberProcessResult)
  | { type: 'error'; message: string };

const monoMs = () => Number(process.hrtime.bigint()) / 1e6;

interface Subscriber {
  soldAt: Float64Array;
  ready: boolean;
  failed?: string;
  disconnected?: string;
  closing: boolean;
  replica?: string;
  close(): void;
}

const send = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });

let config: SubscriberConfig;
let seatIndex: Map<string, number>;
const subscribers: Subscriber[] = [];
const sessions: ClientHttp2Session[] = [];
let agent: Agent | undefined;
let messages = 0;
// The same message reaches every subscriber of this process: parsed once.
const parsed = new Map<string, Int32Array>();

function soldSeatsOf(data: string): Int32Array {
  let seats = parsed.get(data);
  if (!seats) {
    const list: number[] = [];
    try {
      const body = JSON.parse(data) as { changes?: { id: string; status: string }[] };
      for (const c of body.changes ?? []) {
        const i = seatIndex.get(c.id);
        if (c.status === 'sold' && i !== undefined) list.push(i);
      }
    } catch {}
    seats = Int32Array.from(list);
    if (parsed.size > 20_000) parsed.clear();
    parsed.set(data, seats);
  }
  return seats;
}

/** Wires a subscriber to a text stream; resolves once it is ready or has failed. */
function attach(
  sub: Subscriber,
  source: NodeJS.ReadableStream & { setEncoding(e: BufferEncoding): unknown },
  onSettled: () => void,
) {
  const parser = new SseParser();
  source.setEncoding('utf8');
  source.on('data', (chunk: string) => {
    const at = monoMs();
    for (const event of parser.push(chunk)) {
      if (event.event === 'ready' && !sub.ready && !sub.failed) {
        sub.ready = true;
        onSettled();
      } else if (event.event === 'seats') {
        messages++;
        for (const seat of soldSeatsOf(event.data)) if (Number.isNaN(sub.soldAt[seat])) sub.soldAt[seat] = at;
      }
    }
  });
}

function fail(sub: Subscriber, reason: string, onSettled: () => void) {
  if (sub.closing) return;
  if (sub.ready) {
    sub.disconnected ??= reason;
  } else if (!sub.failed) {
    sub.failed = reason;
    onSettled();
  }
}

function session(index: number): ClientHttp2Session {
  const i = Math.floor(index / config.streamsPerConnection);
  let s = sessions[i];
  if (!s || s.destroyed || s.closed) {
    s = connect(config.baseUrl, { ca: config.ca });
    // A generous connection window: many streams share it.
    s.on('connect', () => s?.setLocalWindowSize(16 << 20));
    s.on('error', () => {});
    sessions[i] = s;
  }
  return s;
}

function open(index: number): Promise<void> {
  const path = `/api/v1/events/${config.eventId}/stream`;
  const soldAt = new Float64Array(config.seatIds.length).fill(Number.NaN);
  return new Promise<void>((resolve) => {
    let settled = false;
    const onSettled = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve();
    };
    let closeStream: () => void = () => {};
    const sub: Subscriber = { soldAt, ready: false, closing: false, close: () => closeStream() };
    subscribers.push(sub);
    const timer = setTimeout(() => {
      fail(sub, 'no ready event in time', onSettled);
      closeStream();
    }, config.connectTimeoutMs);

    if (config.http === 2) {
      let stream: ClientHttp2Stream;
      try {
        stream = session(index).request({ ':path': path, accept: 'text/event-stream' });
      } catch (err) {
        fail(sub, `request: ${(err as Error).message}`, onSettled);
        return;
      }
      closeStream = () => {
        if (!stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
      };
      stream.on('response', (headers) => {
        const status = Number(headers[':status']);
        sub.replica = String(headers['x-replica-id'] ?? 'unknown');
        if (status !== 200) {
          fail(sub, `HTTP ${status}`, onSettled);
          closeStream();
        }
      });
      attach(sub, stream, onSettled);
      stream.on('error', (err: NodeJS.ErrnoException) => fail(sub, err.code ?? err.message, onSettled));
      stream.on('close', () => fail(sub, 'stream closed', onSettled));
    } else {
      const req = request(new URL(path, config.baseUrl), { agent, headers: { accept: 'text/event-stream' } });
      closeStream = () => req.destroy();
      req.on('response', (res) => {
        sub.replica = String(res.headers['x-replica-id'] ?? 'unknown');
        if (res.statusCode !== 200) {
          fail(sub, `HTTP ${res.statusCode}`, onSettled);
          closeStream();
          return;
        }
        attach(sub, res, onSettled);
        res.on('close', () => fail(sub, 'stream closed', onSettled));
      });
      req.on('error', (err: NodeJS.ErrnoException) => fail(sub, err.code ?? err.message, onSettled));
      req.end();
    }
  });
}

async function start(c: SubscriberConfig) {
  config = c;
  seatIndex = new Map(c.seatIds.map((id, i) => [id, i]));
  if (c.http === 1) agent = new Agent({ ca: c.ca, keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  let next = 0;
  const worker = async () => {
    while (next < c.count) await open(next++);
  };
  await Promise.all(Array.from({ length: Math.min(c.concurrency, c.count) }, worker));
  const connected = subscribers.filter((s) => s.ready && !s.failed).length;
  await send({ type: 'ready', connected, failed: c.count - connected });
}

async function finish(orders: WatchOrder[], graceMs: number) {
  const live = () => subscribers.filter((s) => s.ready && !s.failed && !s.disconnected);
  const complete = (s: Subscriber) => orders.every((o) => o.seats.every((i) => !Number.isNaN(s.soldAt[i])));
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && !live().every(complete)) await new Promise((r) => setTimeout(r, 100));

  for (const s of subscribers) s.closing = true;
  for (const s of subscribers) s.close();
  for (const s of sessions) s.close();
  agent?.destroy();

  const connected = subscribers.filter((s) => s.ready && !s.failed);
  const part = orderLatencies(
    orders,
    connected.map((s) => s.soldAt),
  );
  const count = (list: (string | undefined)[]) => {
    const out: Record<string, number> = {};
    for (const k of list) if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
    return out;
  };
  const inOrders = new Set(orders.flatMap((o) => o.seats));
  let unexpected = 0;
  for (let seat = 0; seat < config.seatIds.length; seat++)
    if (!inOrders.has(seat) && connected.some((s) => !Number.isNaN(s.soldAt[seat]))) unexpected++;
  await send({
    type: 'result',
    ...part,
    subscribers: subscribers.length,
    connected: connected.length,
    connectFailureReasons: count(subscribers.map((s) => s.failed)),
    disconnectReasons: count(connected.map((s) => s.disconnected)),
    perReplica: count(connected.map((s) => s.replica)),
    unexpectedSoldSeats: unexpected,
    messages,
  });
  process.exit(0);
}

process.on('message', (m: ParentMessage) => {
  const run = m.type === 'start' ? start(m.config) : finish(m.orders, m.graceMs);
  run.catch(async (err: Error) => {
    await send({ type: 'error', message: err.stack ?? err.message });
    process.exit(1);
  });
});
// The parent going away ends this process too.
process.on('disconnect', () => setTimeout(() => process.exit(0), 200).unref());
