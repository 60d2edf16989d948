/**
 * "Size used" of each share for the share list, measured in the background and cached: a
 * listing never waits for a walk, and a share is walked only when someone looks — again
 * after a minute, or a few seconds after a client changed it.
 */
import type { Logger } from 'pino';
import type { ShareUsageDto } from '../../shared/api/schemas.ts';
import type { ShareUsage } from '../metadata/usage.ts';
import type { OpSample } from './types.ts';

/** Requests that change what a share holds (NFSv3 names; any request that wrote bytes counts too). */
const CHANGES = new Set([
  'WRITE',
  'CREATE',
  'REMOVE',
  'RENAME',
  'SETATTR',
  'LINK',
  'MKDIR',
  'RMDIR',
  'SYMLINK',
  'MKNOD',
]);

export interface UsageSource {
  usage(share: string, maxEntries: number): Promise<ShareUsage | undefined>;
}

export class ShareUsageCache {
  private readonly known = new Map<string, ShareUsageDto>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly changed = new Set<string>();
  /** Shares measured because of a change: measured once more soon, as a change's last sizes may land after the walk. */
  private readonly settling = new Set<string>();

  constructor(
    private readonly source: UsageSource,
    private readonly logger: Logger,
    private readonly options = { maxAgeMs: 60_000, changedAgeMs: 5_000, maxEntries: 200_000 },
  ) {}

  /** The last measurement (null before the first); starts a new one when it is old. */
  get(share: string, now = Date.now()): ShareUsageDto | null {
    const last = this.known.get(share);
    const age = last ? now - Date.parse(last.measuredAt) : Infinity;
    const soon = this.changed.has(share) || this.settling.has(share);
    const maxAge = soon ? this.options.changedAgeMs : this.options.maxAgeMs;
    if (age >= maxAge) void this.measure(share);
    // A walk due soon counts as one: the share list asks again in seconds, not in a minute
    // (a list loaded just after a change-driven walk showed the old size for a minute).
    return last ? { ...last, measuring: this.running.has(share) || soon } : null;
  }

  /** Notes a request (MountsService 'sample'): a change makes the share's size due sooner. */
  observe(sample: OpSample): void {
    if (sample.share !== undefined && (sample.bytesWritten > 0 || CHANGES.has(sample.op)))
      this.changed.add(sample.share);
  }

  /** Measures now (one walk per share at a time); resolves when done. */
  measure(share: string): Promise<void> {
    const inFlight = this.running.get(share);
    if (inFlight) return inFlight;
    if (this.changed.delete(share)) this.settling.add(share);
    else this.settling.delete(share);
    const run = this.source
      .usage(share, this.options.maxEntries)
      .then((u) => {
        if (u) this.known.set(share, { ...u, measuredAt: new Date().toISOString(), measuring: false });
        else this.known.delete(share);
      })
      .catch((err: unknown) => this.logger.warn({ share, err: (err as Error).message }, 'measuring a share failed'))
      .finally(() => this.running.delete(share));
    this.running.set(share, run);
    return run;
  }

  forget(share: string): void {
    this.known.delete(share);
    this.settling.delete(share);
  }
}
