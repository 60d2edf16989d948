/** What the portmapper advertises: program/version/transport → port, and universal addresses. */

export const PMAP_PROG = 100000;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export interface PortMapping {
  prog: number;
  vers: number;
  /** Transport protocol number: TCP (6) or UDP (17). */
  prot: number;
  port: number;
}

/** Looked up on every call, so a port bound later (port 0) is reported correctly. */
export type MappingSource = () => readonly PortMapping[];

/**
 * RFC 1833 §2.2 universal address of an endpoint: the host followed by the port as
 * two decimal octets, e.g. "127.0.0.1.8.1" for port 2049.
 */
export function universalAddress(host: string, port: number): string {
  return `${host}.${(port >>> 8) & 0xff}.${port & 0xff}`;
}

/** The RPCBIND netid (RFC 5665 §5.2.3.3) of a transport and host address family. */
export function netidOf(prot: number, host: string): string {
  return `${prot === IPPROTO_UDP ? 'udp' : 'tcp'}${host.includes(':') ? '6' : ''}`;
}
