/**
 * Tallies the open files and byte-range locks of a protocol's clients by client address and
 * share (ProtocolAdapter.holdings). Lock counts come from the one lock manager, keyed by the
 * protocol's own client ids (clientPrefix); the protocol maps each to the address it calls from.
 */
import type { Holding } from '../runtime/types.ts';

export class HoldingsTally {
  private readonly byKey = new Map<string, Holding>();

  /** `lockCounts`: LockManager.countsByClient(). */
  constructor(private readonly lockCounts: ReadonlyMap<string, ReadonlyMap<string, number>>) {}

  /** One more file open by `clientAddr` on `share`. */
  open(clientAddr: string, share: string): void {
    this.entry(clientAddr, share).opens++;
  }

  /** The locks of the lock-manager client `prefix` (clientPrefix), which calls from `clientAddr`. */
  locksOf(prefix: string, clientAddr: string): void {
    for (const [share, n] of this.lockCounts.get(prefix) ?? []) this.entry(clientAddr, share).locks += n;
  }

  list(): Holding[] {
    return [...this.byKey.values()];
  }

  private entry(clientAddr: string, share: string): Holding {
    const key = `${clientAddr}\0${share}`;
    let h = this.byKey.get(key);
    if (!h) this.byKey.set(key, (h = { clientAddr, share, opens: 0, locks: 0 }));
    return h;
  }
}
