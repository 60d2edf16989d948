/**
 * Hosts the DittoFS server in an Electron utility process and supervises it: a crash is
 * followed by a restart with exponential backoff, every state change is announced (the
 * tray follows it), and calls are correlated by id. Electron objects come in through
 * `ServerHostDeps`, so this runs (and is tested) on plain Node.
 */
import { EventEmitter } from 'node:events';
import {
  problem,
  type EventMessage,
  type FromUtility,
  type LiveStatus,
  type Problem,
  type ServerInfo,
  type ServerState,
  type ToUtility,
} from '../shared/desktop.ts';

/** The part of Electron's UtilityProcess we use. */
export interface UtilityChild {
  readonly pid?: number | undefined;
  postMessage(message: ToUtility, transfer?: unknown[]): void;
  on(event: 'message', listener: (message: FromUtility) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'spawn', listener: () => void): unknown;
  kill(): boolean;
}

/** The part of Electron's MessagePortMain we use. */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

export interface ServerHostDeps {
  /** Starts a new utility process (utilityProcess.fork(utility.js, [], {...})). */
  fork(): UtilityChild;
  /** new MessageChannelMain(). */
  createChannel(): { port1: PortLike; port2: PortLike };
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
}

export interface BackoffOptions {
  /** First restart delay. */
  initialMs: number;
  maxMs: number;
  /** A process that served this long resets the delay to initialMs. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

export interface ServerHostEvents {
  state: [ServerState];
  ready: [ServerInfo];
  status: [LiveStatus];
  event: [EventMessage];
  restart: [{ attempt: number; delayMs: number; exitCode: number }];
}

interface Pending {
  resolve: (v: { ok: true; result: unknown } | { ok: false; error: Problem }) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ServerHost extends EventEmitter<ServerHostEvents> {
  private child: UtilityChild | undefined;
  private eventsPort: PortLike | undefined;
  private _state: ServerState = 'stopped';
  private _info: ServerInfo | undefined;
  private lastStatus: LiveStatus | undefined;
  private wanted = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private startedAt = 0;
  private stopWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: ServerHostDeps,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
    private readonly callTimeoutMs = 60_000,
  ) {
    super();
  }

  get state(): ServerState {
    return this._state;
  }

  /** Ports and host name, once the server said it is ready. */
  get info(): ServerInfo | undefined {
    return this._info;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    this.wanted = true;
    if (this.child || this.restartTimer) return;
    this.spawn();
  }

  /** Asks the server to stop gracefully; kills it after graceMs. */
  async stop(graceMs = 15_000): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      this.setState('stopped');
    }
    const child = this.child;
    if (!child) return;
    const done = new Promise<void>((resolve) => this.stopWaiters.push(resolve));
    try {
      child.postMessage({ type: 'stop' });
    } catch {
      child.kill();
    }
    const killer = setTimeout(() => child.kill(), graceMs);
    await done;
    clearTimeout(killer);
  }

  /** Runs one API operation in the server; never rejects (errors are problem values). */
  call(
    op: string,
    params?: unknown,
    token?: string,
  ): Promise<{ ok: true; result: unknown } | { ok: false; error: Problem }> {
    const child = this.child;
    if (!child || this._state === 'starting') {
      const why =
        this._state === 'starting' ? 'The server is starting; try again in a moment.' : 'The server is not running.';
      return Promise.resolve({ ok: false, error: problem(503, 'Server unavailable', why, 'RETRY_LATER') });
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          ok: false,
          error: problem(504, 'Server did not answer', `"${op}" took longer than ${this.callTimeoutMs} ms.`),
        });
      }, this.callTimeoutMs);
      this.pending.set(id, { resolve, timer });
      const msg: ToUtility = { type: 'call', id, op, params };
      if (token !== undefined) msg.token = token;
      child.postMessage(msg);
    });
  }

  private spawn(): void {
    this.setState('starting');
    this._info = undefined;
    let child: UtilityChild;
    try {
      child = this.deps.fork();
    } catch (err) {
      this.log('error', 'could not start the server process', { err: (err as Error).message });
      this.onExit(undefined, -1);
      return;
    }
    this.child = child;
    this.startedAt = Date.now();
    child.on('message', (m) => this.onMessage(child, m));
    child.on('exit', (code) => this.onExit(child, code));
    // Live events come on their own port, so a burst never delays a call's reply.
    const { port1, port2 } = this.deps.createChannel();
    this.eventsPort = port1;
    port1.on('message', (e) => {
      const ev = e.data as EventMessage;
      if (ev && typeof ev.topic === 'string') this.emit('event', ev);
    });
    port1.start();
    child.postMessage({ type: 'events' }, [port2]);
  }

  private onMessage(child: UtilityChild, m: FromUtility): void {
    if (child !== this.child || !m || typeof m !== 'object') return;
    switch (m.type) {
      case 'ready':
        this._info = m.info;
        this.setState('serving');
        this.emit('ready', m.info);
        break;
      case 'reply': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        p.resolve(m.error ? { ok: false, error: m.error } : { ok: true, result: m.result });
        break;
      }
      case 'status':
        this.lastStatus = m.status;
        this.emit('status', m.status);
        if (this._state === 'serving' || this._state === 'busy' || this._state === 'degraded')
          this.setState(liveState(m.status));
        break;
      case 'fatal':
        this.log('error', 'server failed', { message: m.message });
        break;
      case 'stopped':
        break;
    }
  }

  private onExit(child: UtilityChild | undefined, code: number): void {
    if (child && child !== this.child) return;
    this.child = undefined;
    this.eventsPort?.close();
    this.eventsPort = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({
        ok: false,
        error: problem(
          503,
          'Server unavailable',
          'The server process stopped while handling the request.',
          'RETRY_LATER',
        ),
      });
      this.pending.delete(id);
    }
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    if (!this.wanted) {
      this.setState('stopped');
      for (const w of waiters) w();
      return;
    }
    // Unexpected exit: show the error, then try again later (longer each time).
    if (Date.now() - this.startedAt >= this.backoff.resetAfterMs) this.attempt = 0;
    const delayMs = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.attempt);
    this.attempt++;
    this.log('warn', 'server process exited; restarting', { code, delayMs, attempt: this.attempt });
    this.setState('error');
    this.emit('restart', { attempt: this.attempt, delayMs, exitCode: code });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.wanted) this.spawn();
    }, delayMs);
    for (const w of waiters) w();
  }

  private setState(s: ServerState): void {
    if (s === this._state) return;
    this._state = s;
    this.emit('state', s);
  }

  /** The latest once-a-second summary. */
  get status(): LiveStatus | undefined {
    return this.lastStatus;
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>): void {
    this.deps.log?.(level, msg, extra);
  }
}

/** serving, busy (traffic in the last second) or degraded (warnings raised). */
export function liveState(s: LiveStatus): ServerState {
  if (s.warnings > 0) return 'degraded';
  if (s.readBps + s.writeBps > 0 || s.opsPerSec > 0) return 'busy';
  return 'serving';
}
