import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MountProtocol, MountRecord, MountsApi, OpSample } from './types.ts';

export interface Throughput {
  bytesRead: number;
  bytesWritten: number;
  ops: number;
}

/** One second of traffic, total and broken down by share and by client. */
export interface ThroughputSample {
  time: string;
  total: Throughput;
  byShare: Record<string, Throughput>;
  byClient: Record<string, Throughput>;
}

export interface MountsEvents {
  mount: [MountRecord];
  unmount: [MountRecord];
  sample: [OpSample];
}

const zero = (): Throughput => ({ bytesRead: 0, bytesWritten: 0, ops: 0 });

function add(into: Record<string, Throughput>, key: string, s: OpSample): void {
  const t = (into[key] ??= zero());
  t.bytesRead += s.bytesRead;
  t.bytesWritten += s.bytesWritten;
  t.ops += 1;
}

/**
 * Who is connected to what (all protocols), with per-mount counters, and the running
 * per-second throughput window the live dashboard draws.
 */
export class MountsService extends EventEmitter<MountsEvents> implements MountsApi {
  private readonly mounts = new Map<string, MountRecord>();
  private window: ThroughputSample = MountsService.emptySample();
  readonly totals: Throughput = zero();

  private static emptySample(): ThroughputSample {
    return { time: new Date().toISOString(), total: zero(), byShare: {}, byClient: {} };
  }

  add(rec: Omit<MountRecord, 'id' | 'since' | 'lastActiveMs' | 'bytesRead' | 'bytesWritten' | 'ops'>): MountRecord {
    const now = Date.now();
    // A client that mounts the same share again keeps one record (MNT is idempotent).
    const existing = this.find(rec.protocol, rec.clientAddr, rec.share);
    if (existing) {
      existing.lastActiveMs = now;
      if (rec.version !== undefined) existing.version = rec.version; // a remount may pick another version
      return existing;
    }
    const mount: MountRecord = {
      ...rec,
      id: randomUUID(),
      since: new Date(now).toISOString(),
      lastActiveMs: now,
      bytesRead: 0,
      bytesWritten: 0,
      ops: 0,
    };
    this.mounts.set(mount.id, mount);
    this.emit('mount', mount);
    return mount;
  }

  remove(protocol: MountProtocol, clientAddr: string, share?: string): number {
    let n = 0;
    for (const m of this.mounts.values()) {
      if (m.protocol === protocol && m.clientAddr === clientAddr && (share === undefined || m.share === share)) {
        this.mounts.delete(m.id);
        this.emit('unmount', m);
        n++;
      }
    }
    return n;
  }

  /** Removes every record of a share (share disabled or deleted). */
  removeShare(share: string): number {
    let n = 0;
    for (const m of this.mounts.values()) {
      if (m.share === share) {
        this.mounts.delete(m.id);
        this.emit('unmount', m);
        n++;
      }
    }
    return n;
  }

  get(id: string): MountRecord | undefined {
    return this.mounts.get(id);
  }

  list(): MountRecord[] {
    return [...this.mounts.values()];
  }

  record(sample: OpSample): void {
    if (sample.share !== undefined) {
      const m = this.find(sample.protocol, sample.clientAddr, sample.share);
      if (m) {
        m.bytesRead += sample.bytesRead;
        m.bytesWritten += sample.bytesWritten;
        m.ops += 1;
        m.lastActiveMs = Date.now();
      }
      add(this.window.byShare, sample.share, sample);
    }
    add(this.window.byClient, sample.clientAddr, sample);
    this.window.total.bytesRead += sample.bytesRead;
    this.window.total.bytesWritten += sample.bytesWritten;
    this.window.total.ops += 1;
    this.totals.bytesRead += sample.bytesRead;
    this.totals.bytesWritten += sample.bytesWritten;
    this.totals.ops += 1;
    this.emit('sample', sample);
  }

  /** Closes the current window and starts a new one; called once a second. */
  takeSample(): ThroughputSample {
    const s = this.window;
    this.window = MountsService.emptySample();
    return s;
  }

  private find(protocol: MountProtocol, clientAddr: string, share: string): MountRecord | undefined {
    for (const m of this.mounts.values()) {
      if (m.protocol === protocol && m.clientAddr === clientAddr && m.share === share) return m;
    }
    return undefined;
  }
}
