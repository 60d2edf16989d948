/**
 * IPC transport (desktop app): every call goes through `window.api.call`, which the main
 * process validates and forwards to the same API routes in the server process. Live events
 * come over a MessagePort behind `window.api.subscribe`. The desktop user is the local
 * administrator: there is no login page.
 */
import {
  ApiError,
  problemFrom,
  type EventTopic,
  type OperationId,
  type OpInput,
  type OpOutput,
  type ServerEventOf,
} from '../../shared/api/index.ts';
import { DESKTOP_OPS, type CallResult, type DesktopApi } from '../../shared/desktop.ts';
import { Emitter, type DesktopCalls, type Session, type Transport } from './types.ts';

function unwrap<T>(r: CallResult): T {
  if (r.ok) return r.result as T;
  const e = problemFrom(r.error.status, r.error);
  throw e;
}

export class IpcTransport implements Transport {
  readonly mode = 'ipc' as const;
  private _session: Session | undefined;
  private readonly sessionChanged = new Emitter<Session | undefined>();
  private readonly liveChanged = new Emitter<boolean>();
  readonly desktop: DesktopCalls;

  constructor(private readonly api: DesktopApi) {
    const local = async <T>(op: string, params?: unknown): Promise<T> => unwrap<T>(await api.call(op, params));
    this.desktop = {
      getStartAtLogin: () => local<boolean>(DESKTOP_OPS.getStartAtLogin),
      setStartAtLogin: (enabled) => local<boolean>(DESKTOP_OPS.setStartAtLogin, { enabled }),
      serverInfo: () => local(DESKTOP_OPS.serverInfo),
    };
  }

  get session(): Session | undefined {
    return this._session;
  }

  onSessionChange(l: (s: Session | undefined) => void): () => void {
    return this.sessionChanged.on(l);
  }

  onLiveState(l: (connected: boolean) => void): () => void {
    // The port is local: it is up whenever the server is.
    l(true);
    return this.liveChanged.on(l);
  }

  async call<K extends OperationId>(op: K, input: OpInput<K>): Promise<OpOutput<K>> {
    let r: CallResult;
    try {
      r = await this.api.call(op, input);
    } catch (err) {
      throw new ApiError({
        type: 'about:blank',
        title: 'Desktop bridge failed',
        status: 0,
        code: 'UNREACHABLE',
        detail: (err as Error).message,
      });
    }
    return unwrap<OpOutput<K>>(r);
  }

  subscribe<T extends EventTopic>(topic: T, listener: (ev: ServerEventOf<T>) => void): () => void {
    return this.api.subscribe(topic, (data) => listener(data as ServerEventOf<T>));
  }

  async restore(): Promise<Session | undefined> {
    // The server may still be starting when the window opens: retry for a while.
    for (let i = 0; i < 60; i++) {
      try {
        await this.reloadUser();
        return this._session;
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 503) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    return this._session;
  }

  login(): Promise<Session> {
    return this.restore().then((s) => {
      if (!s) throw new Error('the server is not running');
      return s;
    });
  }

  async logout(): Promise<void> {
    /* nothing to end: the desktop user is always signed in */
  }

  async reloadUser(): Promise<void> {
    const user = await this.call('auth.me', {});
    this._session = { user };
    this.sessionChanged.emit(this._session);
  }
}
