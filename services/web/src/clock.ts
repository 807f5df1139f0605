// The server's clock as seen from here: hold countdowns count to the server's
// `expiresAt`, so a wrong clock on this device must not show the wrong time left.
let offsetMs = 0;

export const clock = {
  /** Learns the offset from a response's `Date` header (one-second resolution). */
  observe(dateHeader: string | null) {
    if (!dateHeader) return;
    const server = Date.parse(dateHeader);
    if (Number.isNaN(server)) return;
    const offset = server - Date.now();
    // Within the header's resolution this device is right; beyond it, trust the server.
    offsetMs = Math.abs(offset) > 2000 ? offset : 0;
  },
  now: () => Date.now() + offsetMs,
};
