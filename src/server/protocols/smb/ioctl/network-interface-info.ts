/**
 * MS-SMB2 §3.3.5.15.11 FSCTL_QUERY_NETWORK_INTERFACE_INFO: the server's interfaces, as
 * §2.2.32.5 NETWORK_INTERFACE_INFO entries. dfs serves each connection from the address it
 * is bound to, so one entry: that address (the connection's local address), no RSS or RDMA,
 * a nominal link speed. The FileId must be all ones (else INVALID_PARAMETER, as Windows and
 * Samba), and a buffer too small for the entry is BUFFER_TOO_SMALL.
 */
import { isIPv6 } from 'node:net';
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import { LeWriter } from '../writer.ts';
import type { ConnectionFsctl } from './fsctl.ts';

const ALL_ONES = 0xffffffffffffffffn;
/** 10 Gbit/s, in bits per second: loopback has no real speed. */
const LINK_SPEED = 10_000_000_000;
const ENTRY = 152;
const SOCKADDR_STORAGE = 128;
const AF_INET = 0x0002;
const AF_INET6 = 0x0017;

/** SOCKADDR_STORAGE (§2.2.32.5.1): family, then SOCKADDR_IN or SOCKADDR_IN6 with port 0, zero-padded. */
function sockaddr(w: LeWriter, address: string): void {
  const start = w.length;
  if (isIPv6(address)) {
    const groups = expandIPv6(address);
    w.u16(AF_INET6).u16(0).u32(0);
    for (const g of groups) w.u8(g >> 8).u8(g & 0xff);
    w.u32(0);
  } else {
    w.u16(AF_INET).u16(0);
    for (const octet of address.split('.')) w.u8(Number(octet));
  }
  w.zeros(SOCKADDR_STORAGE - (w.length - start));
}

/** The eight 16-bit groups of an IPv6 address (scope id dropped). */
function expandIPv6(address: string): number[] {
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const part = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = part(head);
  const right = address.includes('::') ? part(tail) : [];
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

export const queryNetworkInterfaceInfo: ConnectionFsctl = {
  name: 'QUERY_NETWORK_INTERFACE_INFO',
  target: 'none',
  async run({ ctx, persistent, volatile }) {
    if (persistent !== ALL_ONES || volatile !== ALL_ONES) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const w = new LeWriter(ENTRY).u32(0).u32(1).u32(0).u32(0).u64(LINK_SPEED);
    sockaddr(w, ctx.conn.localAddr);
    return { status: Status.SUCCESS, output: w.finish() };
  },
};
