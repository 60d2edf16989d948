/**
 * A Transport is how the UI reaches the server: HTTP (JWT + Server-Sent Events) in a
 * browser, IPC (window.api + a MessagePort) in the desktop app. Chosen once at boot.
 */
import type { EventTopic, OperationId, OpInput, OpOutput, ServerEventOf, UserDto } from '../../shared/api/index.ts';

export interface Session {
  user: UserDto;
}

export interface Transport {
  readonly mode: 'http' | 'ipc';
  /** Runs one operation of the shared table; rejects with ApiError (the server's problem details). */
  call<K extends OperationId>(op: K, input: OpInput<K>): Promise<OpOutput<K>>;
  /** Live events of one topic; returns the unsubscribe function. */
  subscribe<T extends EventTopic>(topic: T, listener: (ev: ServerEventOf<T>) => void): () => void;
  /** Whether the live stream is connected (the dashboard says so when it is not). */
  onLiveState(listener: (connected: boolean) => void): () => void;

  /** The signed-in user, or undefined (HTTP before login). */
  readonly session: Session | undefined;
  onSessionChange(listener: (s: Session | undefined) => void): () => void;
  /** Restores a session at boot (HTTP: stored tokens; IPC: the local administrator). */
  restore(): Promise<Session | undefined>;
  login(username: string, password: string): Promise<Session>;
  logout(): Promise<void>;
  /** Refreshes the session's user (after a password change, a role change...). */
  reloadUser(): Promise<void>;

  /** Desktop-only operations (start at login, server info); undefined in a browser. */
  readonly desktop?: DesktopCalls;
}

export interface DesktopCalls {
  getStartAtLogin(): Promise<boolean>;
  setStartAtLogin(enabled: boolean): Promise<boolean>;
  serverInfo(): Promise<{
    state: string;
    info: { hostname: string; nfsPort?: number; mountPort?: number; smbPort?: number } | null;
  }>;
}

/** A tiny listener set. */
export class Emitter<T> {
  private readonly ls = new Set<(v: T) => void>();
  on(l: (v: T) => void): () => void {
    this.ls.add(l);
    return () => void this.ls.delete(l);
  }
  emit(v: T): void {
    for (const l of [...this.ls]) l(v);
  }
  get size(): number {
    return this.ls.size;
  }
}
