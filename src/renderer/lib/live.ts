/**
 * The live throughput history behind the dashboard charts: the last few minutes of the
 * once-a-second `throughput` events, kept for as long as the app runs (so opening the
 * dashboard shows the recent past, not an empty chart).
 */
import type { ServerEventOf } from '../../shared/api/index.ts';
import type { Transport } from '../transport/types.ts';

export const HISTORY_SECONDS = 300;

export type ThroughputEvent = ServerEventOf<'throughput'>;

export class LiveHistory {
  private samples: ThroughputEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private version = 0;

  constructor(private readonly limit = HISTORY_SECONDS) {}

  push(ev: ThroughputEvent): void {
    const next = this.samples.length >= this.limit ? this.samples.slice(1) : this.samples.slice();
    next.push(ev);
    this.samples = next;
    this.version++;
    for (const l of this.listeners) l();
  }

  /** Forgets every sample (a new session starts from nothing). */
  clear(): void {
    this.samples = [];
    this.version++;
    for (const l of this.listeners) l();
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };

  /** Stable between pushes (for useSyncExternalStore). */
  snapshot = (): ThroughputEvent[] => this.samples;

  get changes(): number {
    return this.version;
  }

  /** Every client address seen in the window, busiest first. */
  clients(): string[] {
    const totals = new Map<string, number>();
    for (const s of this.samples) {
      for (const [c, t] of Object.entries(s.byClient))
        totals.set(c, (totals.get(c) ?? 0) + t.bytesRead + t.bytesWritten + t.ops);
    }
    return [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  }

  attach(transport: Transport): () => void {
    return transport.subscribe('throughput', (ev) => this.push(ev));
  }
}
