/**
 * Client address matching for export rules: a list of IPv4 CIDR blocks ("10.0.0.0/8"),
 * single addresses ("192.168.1.5") or "*". Client addresses may be IPv4 or IPv4-mapped
 * IPv6. Entries that do not parse match nothing, so a typo never widens access.
 */
import { plainAddress } from '../rpc/address.ts';

interface Block {
  net: number;
  mask: number;
}

/** Dotted-quad IPv4 as an unsigned 32-bit number, or undefined. */
export function parseIPv4(addr: string): number | undefined {
  const parts = addr.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffff_ffff << (32 - prefix)) >>> 0;
}

function parseBlock(entry: string): Block | undefined {
  const [addr = '', prefixText, extra] = entry.trim().split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIPv4(plainAddress(addr));
  if (ip === undefined) return undefined;
  const prefix = prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= 32)) return undefined;
  const mask = maskOf(prefix);
  return { net: (ip & mask) >>> 0, mask };
}

export class CidrList {
  private constructor(
    private readonly any: boolean,
    private readonly blocks: readonly Block[],
  ) {}

  /** An empty list allows everyone. */
  static parse(entries: readonly string[]): CidrList {
    const any = entries.length === 0 || entries.some((e) => e.trim() === '*');
    const blocks: Block[] = [];
    for (const e of entries) {
      const b = parseBlock(e);
      if (b) blocks.push(b);
    }
    return new CidrList(any, blocks);
  }

  allows(clientAddr: string): boolean {
    if (this.any) return true;
    const ip = parseIPv4(plainAddress(clientAddr));
    if (ip === undefined) return false;
    return this.blocks.some((b) => (ip & b.mask) >>> 0 === b.net);
  }
}
