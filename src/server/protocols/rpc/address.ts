/** Socket address helpers shared by the RPC servers and export checks. */

const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** An IPv4-mapped IPv6 address ("::ffff:10.0.0.1") as plain IPv4; anything else unchanged. */
export function plainAddress(addr: string): string {
  const m = MAPPED_V4.exec(addr);
  return m ? (m[1] as string) : addr;
}
