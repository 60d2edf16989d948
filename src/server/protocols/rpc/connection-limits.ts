/**
 * Limits on what clients of an RPC listener may hold open: connections (in all and per
 * client address), time (idle connections, records started and not finished) and memory
 * (partially received records, all connections together; see record-memory.ts). Checked
 * before anything is spent on the connection or record, as record.ts checks maxRecordSize.
 */
import type { ConnectionLimitStats } from '../../runtime/types.ts';
import { RecordMemory } from './record-memory.ts';

export interface ConnectionLimitSettings {
  /** Open connections, all clients together. */
  maxConnections: number;
  /** Open connections from one client address. */
  maxConnectionsPerClient: number;
  /** A connection with no call running, no partial record and no traffic this long is closed. */
  idleTimeoutMs: number;
  /** A record must arrive whole within this long of its first byte, or the connection is closed. */
  recordTimeoutMs: number;
  /** Bytes that partially received records may hold, all connections together. */
  maxPartialRecordBytes: number;
}

const MiB = 1024 * 1024;

/**
 * For a laptop NAS serving a family's devices. Each device opens a few connections (the
 * Linux client one per mount, up to 16 with nconnect, plus short MOUNT ones); idle ones
 * cost ~7 KiB each, so the total is generous. The kernel client keeps its connection idle
 * between operations and closes it itself after 5 minutes: closing later never races it.
 * WRITEs are at most 1 MiB (FSINFO wtmax), so 64 MiB of partial records is ~60 streams.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimitSettings = {
  maxConnections: 256,
  maxConnectionsPerClient: 32,
  idleTimeoutMs: 10 * 60_000,
  recordTimeoutMs: 60_000,
  maxPartialRecordBytes: 64 * MiB,
};

const GiB = 1024 * MiB;

/** Accepted range of each setting, in the config file and the adapter settings alike. */
export const CONNECTION_LIMIT_RANGES: Record<keyof ConnectionLimitSettings, readonly [number, number]> = {
  maxConnections: [1, 65_535],
  maxConnectionsPerClient: [1, 65_535],
  idleTimeoutMs: [1000, 24 * 3_600_000],
  recordTimeoutMs: [1000, 3_600_000],
  maxPartialRecordBytes: [MiB, 64 * GiB],
};

export type RefusalReason = keyof ConnectionLimitStats['refused'];
export type TimeoutReason = keyof ConnectionLimitStats['timedOut'];

/**
 * Connection accounting shared by the listeners of one adapter (the NFS port and a separate
 * MOUNT port count together), with the counters the metrics report.
 */
export class ConnectionLimits {
  readonly recordMemory: RecordMemory;
  private open = 0;
  private readonly perClient = new Map<string, number>();
  private readonly counters: Pick<ConnectionLimitStats, 'refused' | 'timedOut'> = {
    refused: { max_connections: 0, max_connections_per_client: 0 },
    timedOut: { idle: 0, record: 0 },
  };

  constructor(readonly settings: ConnectionLimitSettings) {
    this.recordMemory = new RecordMemory(settings.maxPartialRecordBytes);
  }

  /** Counts a new connection from `clientAddr` in, or says which limit refuses it. */
  admit(clientAddr: string): RefusalReason | undefined {
    const fromClient = this.perClient.get(clientAddr) ?? 0;
    let refusal: RefusalReason | undefined;
    if (this.open >= this.settings.maxConnections) refusal = 'max_connections';
    else if (fromClient >= this.settings.maxConnectionsPerClient) refusal = 'max_connections_per_client';
    if (refusal !== undefined) {
      this.counters.refused[refusal]++;
      return refusal;
    }
    this.open++;
    this.perClient.set(clientAddr, fromClient + 1);
    return undefined;
  }

  /** A connection admitted from `clientAddr` has closed. */
  release(clientAddr: string): void {
    const fromClient = this.perClient.get(clientAddr) ?? 0;
    if (fromClient <= 0) return;
    this.open--;
    if (fromClient === 1) this.perClient.delete(clientAddr);
    else this.perClient.set(clientAddr, fromClient - 1);
  }

  timedOut(reason: TimeoutReason): void {
    this.counters.timedOut[reason]++;
  }

  stats(): ConnectionLimitStats {
    return {
      refused: { ...this.counters.refused },
      timedOut: { ...this.counters.timedOut },
      recordMemoryBytes: this.recordMemory.used,
      recordMemoryWaits: this.recordMemory.waits,
    };
  }
}
