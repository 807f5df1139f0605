// An incremental text/event-stream parser (the WHATWG EventSource rules that
// matter here): lines end in \n, \r\n or \r; a blank line dispatches the event;
// `data` lines accumulate; lines starting with ':' are comments (keep-alives).

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #id: string | undefined;

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = this.#buffer.slice(start).search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const end = start + nl;
      // A lone '\r' at the end of the buffer may be the first half of '\r\n'.
      if (this.#buffer[end] === '\r' && end + 1 === this.#buffer.length) break;
      const line = this.#buffer.slice(start, end);
      start = end + (this.#buffer.startsWith('\r\n', end) ? 2 : 1);
      const event = this.#line(line);
      if (event) out.push(event);
    }
    this.#buffer = this.#buffer.slice(start);
    return out;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') {
      const event =
        this.#data.length > 0
          ? { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id }
          : undefined;
      this.#event = '';
      this.#data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id') this.#id = value;
    return undefined;
  }
}
