/**
 * Client address matching for export rules: a list of IPv4 or IPv6 networks
 * ("10.0.0.0/8", "fd00::/8"), single addresses ("192.168.1.5", "::1") or "*", on Node's
 * net.BlockList. IPv4-mapped IPv6 clients match IPv4 entries. Entries that do not parse
 * match nothing, so a typo never widens access.
 */
import { BlockList, isIP } from 'node:net';

function familyOf(addr: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(addr);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

/** Adds one entry; false if it is not an address or network. */
function addEntry(list: BlockList, entry: string): boolean {
  const [addr = '', prefixText, extra] = entry.trim().split('/');
  const family = familyOf(addr);
  if (family === undefined || extra !== undefined) return false;
  if (prefixText === undefined) {
    list.addAddress(addr, family);
    return true;
  }
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= (family === 'ipv4' ? 32 : 128))) return false;
  list.addSubnet(addr, prefix, family);
  return true;
}

export class CidrList {
  private constructor(
    private readonly any: boolean,
    private readonly list: BlockList,
  ) {}

  /** An empty list allows everyone. */
  static parse(entries: readonly string[]): CidrList {
    const list = new BlockList();
    const any = entries.length === 0 || entries.some((e) => e.trim() === '*');
    for (const e of entries) addEntry(list, e);
    return new CidrList(any, list);
  }

  allows(clientAddr: string): boolean {
    if (this.any) return true;
    const family = familyOf(clientAddr);
    return family !== undefined && this.list.check(clientAddr, family);
  }
}
