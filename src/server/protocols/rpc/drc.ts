/**
 * Duplicate request cache: non-idempotent calls (CREATE, REMOVE, RENAME, WRITE, ...) that a
 * client retransmits — typically after reconnecting — must not run twice. The reply of the
 * first execution is kept, keyed by client address and port, xid and procedure, and sent
 * again; a retransmission that arrives while the first is still running gets the same reply
 * when it completes. Bounded: the oldest entries are evicted first.
 */
import type { RpcSession } from './program.ts';

interface Entry {
  /** Length of the call record, to tell a reused xid from a retransmission. */
  recordLength: number;
  /** The reply chunks, or a promise of them while the first execution runs. */
  reply: Promise<Buffer[]> | Buffer[];
}

export class DuplicateRequestCache {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  static key(session: RpcSession, xid: number, prog: number, vers: number, proc: number): string {
    return `${session.clientAddr}|${session.clientPort}|${xid}|${prog}|${vers}|${proc}`;
  }

  /** The earlier reply (or its pending promise) for a retransmission, else undefined. */
  lookup(key: string, recordLength: number): Entry['reply'] | undefined {
    const e = this.entries.get(key);
    return e && e.recordLength === recordLength ? e.reply : undefined;
  }

  /** Registers a call that is starting; `reply` settles with what was sent. */
  begin(key: string, recordLength: number, reply: Promise<Buffer[]>): void {
    this.entries.delete(key);
    this.entries.set(key, { recordLength, reply });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Stores the finished reply, copied so the cache does not pin the writer's slab. */
  complete(key: string, reply: Buffer[]): void {
    const e = this.entries.get(key);
    if (e) e.reply = reply.map((b) => Buffer.from(b));
  }

  /** Forgets a call whose reply must not be replayed (it failed inside the server). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
