/** Socket address helpers shared by the RPC servers and export checks. */
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** An IPv4-mapped IPv6 address ("::ffff:10.0.0.1") as plain IPv4; anything else unchanged. */
export function plainAddress(addr: string): string {
  const m = MAPPED_V4.exec(addr);
  return m ? (m[1] as string) : addr;
}

/** A bind address that serves every interface. */
export function isWildcard(addr: string): boolean {
  return addr === '' || addr === '0.0.0.0' || addr === '::';
}

/**
 * Which address of this computer a client reaches a socket bound to every interface on.
 * A TCP socket knows (its local address); a UDP datagram does not tell Node, so this picks
 * the interface whose network holds the client, else the first external one of the
 * client's family, else loopback. Used for rpcbind's universal addresses.
 */
export function localAddressToward(clientAddr: string, interfaces = networkInterfaces()): string {
  const version = isIP(clientAddr);
  if (version === 0) return '127.0.0.1';
  const v6 = version === 6;
  const family = v6 ? 'ipv6' : 'ipv4';
  let fallback: string | undefined;
  for (const addrs of Object.values(interfaces)) {
    for (const a of addrs ?? []) {
      if ((a.family === 'IPv6') !== v6) continue;
      if (a.cidr && inNetwork(clientAddr, a.cidr, family)) return a.address;
      if (!a.internal) fallback ??= a.address;
    }
  }
  return fallback ?? (v6 ? '::1' : '127.0.0.1');
}

function inNetwork(addr: string, cidr: string, family: 'ipv4' | 'ipv6'): boolean {
  const [net = '', prefix = ''] = cidr.split('/');
  const subnet = new BlockList();
  try {
    subnet.addSubnet(net, Number(prefix), family);
    return subnet.check(addr, family);
  } catch {
    return false; // an interface address Node cannot parse back (e.g. with a zone)
  }
}
