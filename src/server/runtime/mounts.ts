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
  /** By identity: the caller's key, or else (protocol, client, share). */
  private readonly mounts = new Map<string, MountRecord>();
  private window: ThroughputSample = MountsService.emptySample();
  readonly totals: Throughput = zero();

  private static emptySample(): ThroughputSample {
    return { time: new Date().toISOString(), total: zero(), byShare: {}, byClient: {} };
  }

  private static identity(protocol: MountProtocol, clientAddr: string, share: string, key: string | undefined): string {
    return key === undefined ? `client\0${protocol}\0${clientAddr}\0${share}` : `key\0${key}`;
  }

  add(rec: Omit<MountRecord, 'id' | 'since' | 'lastActiveMs' | 'bytesRead' | 'bytesWritten' | 'ops'>): MountRecord {
    const now = Date.now();
    const identity = MountsService.identity(rec.protocol, rec.clientAddr, rec.share, rec.key);
    // Adding the same record again keeps one (NFS: MNT is idempotent per client and share).
    const existing = this.mounts.get(identity);
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
    this.mounts.set(identity, mount);
    this.emit('mount', mount);
    return mount;
  }

  /** Removes a client's records of a protocol (on one share, or all), keyed or not. */
  remove(protocol: MountProtocol, clientAddr: string, share?: string): number {
    return this.removeWhere(
      (m) => m.protocol === protocol && m.clientAddr === clientAddr && (share === undefined || m.share === share),
    );
  }

  removeKey(key: string): boolean {
    return this.removeWhere((m) => m.key === key) > 0;
  }

  /** Removes one record by its id; whether it was there. */
  removeId(id: string): boolean {
    return this.removeWhere((m) => m.id === id) > 0;
  }

  /** Removes every record of a share (share disabled or deleted). */
  removeShare(share: string): number {
    return this.removeWhere((m) => m.share === share);
  }

  get(id: string): MountRecord | undefined {
    for (const m of this.mounts.values()) if (m.id === id) return m;
    return undefined;
  }

  list(): MountRecord[] {
    return [...this.mounts.values()];
  }

  record(sample: OpSample): void {
    if (sample.share !== undefined) {
      // Every request: no object built for the lookup.
      const m = this.mounts.get(
        MountsService.identity(sample.protocol, sample.clientAddr, sample.share, sample.mountKey),
      );
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

  private removeWhere(match: (m: MountRecord) => boolean): number {
    let n = 0;
    for (const [identity, m] of this.mounts) {
      if (!match(m)) continue;
      this.mounts.delete(identity);
      this.emit('unmount', m);
      n++;
    }
    return n;
  }
}
