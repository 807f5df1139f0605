// Where webhooks may go. A target whose address is private, loopback,
// link-local or otherwise not public (unspecified, multicast, reserved) is
// refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS allows its kind: otherwise any
// admin could make the cluster call its own internal services (SSRF). The check
// runs when an endpoint is registered and again on every send, on the very
// address the connection is made to (the lookup of the request itself), so a
// name that later resolves elsewhere (DNS rebinding) gains nothing.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export type TargetKind = 'loopback' | 'private' | 'link-local';
export type Allowance = TargetKind | 'all';

function list(entries: [string, number, 'ipv4' | 'ipv6'][]) {
  const b = new BlockList();
  for (const [net, prefix, type] of entries) b.addSubnet(net, prefix, type);
  return b;
}

const KINDS: [TargetKind | 'reserved', BlockList][] = [
  [
    'loopback',
    list([
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ]),
  ],
  [
    'private',
    list([
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ]),
  ],
  [
    'link-local',
    list([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ]),
  ],
  [
    'reserved',
    list([
      ['0.0.0.0', 8, 'ipv4'],
      ['192.0.0.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['224.0.0.0', 4, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['::', 128, 'ipv6'],
      ['64:ff9b::', 96, 'ipv6'],
      ['100::', 64, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'],
      ['ff00::', 8, 'ipv6'],
    ]),
  ],
];

/** Why this address may not be a target ('loopback', 'private', …), or undefined when it may. */
export function refusalOf(address: string, allow: readonly Allowance[]): string | undefined {
  if (allow.includes('all')) return undefined;
  let ip = address;
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1] as string;
  const type = isIP(ip) === 4 ? 'ipv4' : isIP(ip) === 6 ? 'ipv6' : undefined;
  if (!type) return 'not an IP address';
  for (const [kind, blocks] of KINDS) {
    if (blocks.check(ip, type)) return kind !== 'reserved' && allow.includes(kind) ? undefined : kind;
  }
  return undefined;
}

export class TargetRefused extends Error {}

/** The URL as a target: http(s), no credentials; every address its host resolves to allowed. */
export async function checkTarget(raw: string, allow: readonly Allowance[]): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefused('only http and https');
  if (url.username || url.password) throw new TargetRefused('no credentials in the URL');
  const host = hostOf(url);
  const addresses = isIP(host)
    ? [host]
    : await new Promise<string[]>((resolve, reject) =>
        dnsLookup(host, { all: true }, (err, found) =>
          err ? reject(new TargetRefused(`${host} does not resolve`)) : resolve(found.map((a) => a.address)),
        ),
      );
  for (const address of addresses) {
    const why = refusalOf(address, allow);
    if (why) throw new TargetRefused(`${host} resolves to a ${why} address (${address})`);
  }
  return url;
}

/** The host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that resolves the name and refuses it when an
 * address is not allowed: the check is made on the address connected to.
 */
export function guardedLookup(allow: readonly Allowance[]) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true }, (err, found) => {
      if (err) return callback(err, '');
      const bad = found.find((a) => refusalOf(a.address, allow));
      if (bad || found.length === 0) {
        const refusal = new Error(
          `webhook target ${hostname} resolves to a refused address (${bad?.address ?? 'none'})`,
        ) as NodeJS.ErrnoException;
        refusal.code = 'EWEBHOOKTARGET';
        return callback(refusal, '');
      }
      if (options.all) return callback(null, found);
      const first = found[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}
