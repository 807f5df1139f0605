/**
 * Whether an If-None-Match header names `etag` (RFC 9110 §13.1.2): the client
 * already holds that representation, and a 304 without a body answers it.
 * The comparison is weak, as the RFC asks for this header (a `W/` prefix on
 * either side is ignored: the gateway's gzip turns a strong tag weak), and `*`
 * matches whatever representation exists.
 */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.replace(/^W\//, '');
  const wanted = opaque(etag);
  return (header.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => opaque(tag) === wanted);
}
