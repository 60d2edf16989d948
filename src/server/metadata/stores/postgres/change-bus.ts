/**
 * The PostgreSQL store's ChangeBus (metadata/change-bus.ts): the changes this instance's feed
 * emits, each emit one `pg_notify` on the store's channel, and a dedicated connection that
 * LISTENs on it and hands on what other instances sent. Changes are emitted once their
 * transaction committed, so a rolled-back change is never announced. Notifications sent while
 * PostgreSQL cannot be reached, or while the listening connection reconnects, are lost: other
 * instances' watchers miss those changes (an SMB client's view refreshes on the next one).
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { ChangeBus } from '../../change-bus.ts';
import type { DirChange, DirChangeAction } from '../../change-feed.ts';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7999;
/** Waits before reconnecting the listening connection: doubled after each failure up to the most. */
const RETRY_FIRST_MS = 250;
const RETRY_MOST_MS = 5000;

/** What one notification carries: the sending instance, its sequence number, the directory's key and the changes. */
interface Message {
  i: string;
  /** Keeps equal changes sent in one statement apart (PostgreSQL folds identical notifications of a transaction). */
  s: number;
  k: string;
  c: WireChange[];
}

/** A DirChange as sent: short keys, the `to` directory's handle in base64. */
interface WireChange {
  a: DirChangeAction;
  n: string;
  d?: boolean;
  t?: [dir: string, key: string, name: string];
}

/** The channel of the store in `schema`: channels are database-wide, and at most 63 bytes. */
export function changeChannel(schema: string): string {
  return `dittofs_changes_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

export class PgChangeBus implements ChangeBus {
  /** This store object: its own notifications come back to it and are skipped. */
  private readonly instance = randomBytes(8).toString('hex');
  private seq = 0;
  private queue: string[] = [];
  private flushing: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private handler: ((key: string, changes: DirChange[]) => void) | undefined;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  /** `newClient` makes an unconnected client on the store's database. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly newClient: () => pg.Client,
    readonly channel: string,
  ) {}

  publish(key: string, changes: readonly DirChange[]): void {
    if (this.closed) return;
    const message: Message = {
      i: this.instance,
      s: this.seq++,
      k: key,
      c: changes.map((c): WireChange => ({
        a: c.action,
        n: c.name,
        ...(c.directory !== undefined ? { d: c.directory } : {}),
        ...(c.to !== undefined ? { t: [c.to.dir.toString('base64'), c.to.key, c.to.name] } : {}),
      })),
    };
    const payload = JSON.stringify(message);
    // An emit holds at most three names (a rename's), each of at most 255 characters: even
    // escaped, they fit. Should one not, it is not announced rather than cut (a cut name
    // would name another entry).
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) return;
    this.queue.push(payload);
    this.flushing ??= this.flush();
  }

  listen(fn: (key: string, changes: DirChange[]) => void): void {
    this.handler = fn;
  }

  /**
   * Sends what is queued, in order, one statement for all that queued up while the previous
   * one ran (the pool's connections might otherwise reorder them).
   */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.pool
        .query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [this.channel, batch])
        .catch(() => undefined);
    }
    this.flushing = undefined;
  }

  /** Connects the listening connection; when that fails, or the connection breaks later, tries again. */
  async connect(): Promise<void> {
    const client = this.newClient();
    // A broken connection reports an error, then ends.
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.reconnect();
    });
    client.on('notification', (n) => this.received(n.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch {
      void client.end().catch(() => undefined);
      this.reconnect();
      return;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.listener = client;
    this.retryMs = RETRY_FIRST_MS;
  }

  private reconnect(): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MOST_MS);
  }

  private received(payload: string | undefined): void {
    let m: Message;
    try {
      m = JSON.parse(payload ?? '') as Message;
    } catch {
      return;
    }
    if (m.i === this.instance || this.handler === undefined) return;
    this.handler(
      m.k,
      m.c.map((c) => ({
        action: c.a,
        name: c.n,
        ...(c.d !== undefined ? { directory: c.d } : {}),
        ...(c.t !== undefined ? { to: { dir: Buffer.from(c.t[0], 'base64'), key: c.t[1], name: c.t[2] } } : {}),
      })),
    );
  }

  /** Sends what is queued, then ends the listening connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.flushing;
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }
}
