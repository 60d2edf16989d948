/**
 * The grace period after a restart (RFC 7530 §9.6.2): the clients an earlier instance
 * recorded as holding state may reclaim their opens and locks, and nobody may take new ones,
 * until it ends; with nobody recorded there is none. Keeps that record up to date.
 */
import type { ClientRecords } from './client-records.ts';
import { Nfs4Status } from './constants.ts';
import { Nfs4Error } from './errors.ts';
import type { Client } from './state-types.ts';

export class ReclaimGrace {
  /** Names of the clients an earlier instance recorded, who may reclaim during the grace period. */
  private readonly reclaimers: Set<string>;
  private readonly untilMs: number;

  constructor(
    private readonly records: ClientRecords,
    graceMs: number,
    private readonly now: () => number,
  ) {
    this.reclaimers = new Set(records.load());
    this.untilMs = this.reclaimers.size > 0 && graceMs > 0 ? now() + graceMs : 0;
  }

  /** Whether the grace period is running. */
  active(): boolean {
    return this.untilMs > 0 && this.now() < this.untilMs;
  }

  /**
   * Checks a request for new state: reclaims only during the grace period, and only from
   * recorded clients; everything else only after it.
   */
  check(client: Client, reclaim: boolean): void {
    const grace = this.active();
    if (reclaim && (!grace || client.reclaimComplete)) throw new Nfs4Error(Nfs4Status.NO_GRACE);
    if (reclaim && !this.reclaimers.has(client.name)) throw new Nfs4Error(Nfs4Status.RECLAIM_BAD);
    if (!reclaim && grace) throw new Nfs4Error(Nfs4Status.GRACE);
  }

  /** Rewrites the record: `holders` (live confirmed clients), and during grace those that may still reclaim. */
  save(holders: Iterable<string>): void {
    const names = new Set(this.active() ? this.reclaimers : []);
    for (const name of holders) names.add(name);
    this.records.save([...names]);
  }
}
