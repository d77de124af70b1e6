import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Why a target URL is refused; the message is safe to log (no path, query or credentials). */
export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/** Ranges a webhook must not reach: private, loopback, link-local, and the other non-public blocks. */
const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const BLOCKED_V6: [string, number][] = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
];

/** "::ffff:10.0.0.1" is 10.0.0.1: check the IPv4 inside an IPv4-mapped IPv6 address. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/**
 * The SSRF guard: a target may be any public http(s) address; private, loopback and link-local ones
 * (IPv4 and IPv6, checked on the addresses DNS returns, at connect time so a rebinding DNS cannot
 * slip past) only when the allow-list names the host, the address or a CIDR range containing it.
 */
export class TargetGuard {
  private readonly blocked = new BlockList();
  private readonly allowed = new BlockList();
  private readonly allowedHosts = new Set<string>();

  constructor(allowList: readonly string[] = []) {
    for (const [a, p] of BLOCKED_V4) this.blocked.addSubnet(a, p, 'ipv4');
    for (const [a, p] of BLOCKED_V6) this.blocked.addSubnet(a, p, 'ipv6');
    for (const raw of allowList) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '');
      const [addr, prefix] = entry.split('/');
      const family = isIP(addr);
      if (family && prefix !== undefined) this.allowed.addSubnet(addr, Number(prefix), family === 6 ? 'ipv6' : 'ipv4');
      else if (family) this.allowed.addAddress(addr, family === 6 ? 'ipv6' : 'ipv4');
      else if (entry) this.allowedHosts.add(entry);
    }
  }

  /** Throws TargetRefused for an address that is not public and not allow-listed. */
  checkAddress(address: string, host: string): void {
    const n = normalise(address);
    if (this.allowed.check(n.address, n.family)) return;
    if (this.blocked.check(n.address, n.family) && !this.allowedHosts.has(host)) {
      throw new TargetRefused(
        `target host ${host} resolves to ${address}, a private, loopback or link-local address that is not allow-listed`,
      );
    }
  }

  /** The URL's syntax and scheme; an IP literal host is checked here, since no DNS lookup will happen. */
  checkUrl(url: string): URL {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TargetRefused('target is not a valid URL');
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TargetRefused(`target scheme ${u.protocol} is not http or https`);
    const host = hostOf(u);
    if (isIP(host)) this.checkAddress(host, host);
    return u;
  }

  /** Resolves the host now and checks every address (used when a subscription is created or changed). */
  async checkResolved(url: string): Promise<void> {
    const u = this.checkUrl(url);
    const host = hostOf(u);
    if (isIP(host)) return;
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(host, { all: true }, (err, a) =>
        err ? reject(new TargetRefused(`target host ${host} does not resolve (${err.code})`)) : resolve(a),
      ),
    );
    for (const a of addresses) this.checkAddress(a.address, host);
  }

  /** A `lookup` for http.request that refuses blocked addresses at connect time. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      try {
        for (const a of addresses) this.checkAddress(a.address, hostname.toLowerCase());
      } catch (refusal) {
        return callback(refusal as NodeJS.ErrnoException, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export const hostOf = (u: URL): string => u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
