/**
 * The networks this computer is on, as CIDRs: what "everyone on my network" means when a
 * share's allowed networks are set (the share wizard offers them). Loopback is included so
 * the computer itself can mount; link-local addresses are left out (they change with every
 * network and are not routed).
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { NetworkDto } from '../../shared/api/schemas.ts';

export function localNetworks(interfaces = networkInterfaces()): NetworkDto[] {
  const seen = new Set<string>();
  const out: NetworkDto[] = [];
  for (const [name, addrs] of Object.entries(interfaces)) {
    for (const a of addrs ?? []) {
      if (isLinkLocal(a)) continue;
      const cidr = networkOf(a);
      if (cidr === undefined || seen.has(cidr)) continue;
      seen.add(cidr);
      out.push({ cidr, interface: name, internal: a.internal });
    }
  }
  return out;
}

export function isLinkLocal(a: NetworkInterfaceInfo): boolean {
  return a.family === 'IPv4' ? a.address.startsWith('169.254.') : /^fe[89ab]/i.test(a.address);
}

/** "192.0.2.7" with netmask 255.255.255.0 -> "192.0.2.0/24"; IPv6 alike, zeros compressed. */
export function networkOf(a: Pick<NetworkInterfaceInfo, 'address' | 'netmask' | 'family'>): string | undefined {
  if (a.family === 'IPv4') {
    const addr = a.address.split('.').map(Number);
    const mask = a.netmask.split('.').map(Number);
    if (addr.length !== 4 || mask.length !== 4) return undefined;
    const net = addr.map((b, i) => b & (mask[i] ?? 0));
    return `${net.join('.')}/${prefixLength(mask, 8)}`;
  }
  const addr = expand6(a.address);
  const mask = expand6(a.netmask);
  if (addr === undefined || mask === undefined) return undefined;
  const net = addr.map((h, i) => h & (mask[i] ?? 0));
  return `${compress6(net)}/${prefixLength(mask, 16)}`;
}

function prefixLength(mask: number[], bitsPerPart: number): number {
  let bits = 0;
  for (const part of mask) {
    for (let bit = bitsPerPart - 1; bit >= 0; bit--) if ((part >> bit) & 1) bits++;
  }
  return bits;
}

/** Eight 16-bit groups of an IPv6 address (without a zone), or undefined. */
function expand6(text: string): number[] | undefined {
  const [head = '', tail, extra] = text.split('%')[0]!.split('::');
  if (extra !== undefined) return undefined;
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = 8 - left.length - right.length;
  if (zeros < 0 || (tail === undefined && zeros !== 0)) return undefined;
  const groups = [...left, ...new Array<number>(zeros).fill(0), ...right];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** RFC 5952 text: the longest run of two or more zero groups becomes "::". */
function compress6(groups: number[]): string {
  let best = { at: -1, len: 1 };
  for (let i = 0; i < groups.length;) {
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}
