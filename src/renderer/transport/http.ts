/**
 * HTTP transport: the REST API at /api/v1 with a JWT pair from `auth.login`, refreshed
 * before it expires (and once more on a 401), and live events over Server-Sent Events
 * (EventSource cannot send headers, so the access token rides in ?access_token=).
 * Tokens live in sessionStorage: a reload keeps you signed in, closing the tab does not.
 */
import {
  API_PREFIX,
  ApiError,
  createHttpClient,
  roleAllows,
  EVENT_TOPICS,
  EVENTS_PATH,
  peekJwt,
  type ApiClient,
  type EventTopic,
  type OperationId,
  type OpInput,
  type OpOutput,
  type ServerEventOf,
  type TokenPair,
} from '../../shared/api/index.ts';
import { Emitter, type Session, type Transport } from './types.ts';

const STORAGE_KEY = 'dittofs.tokens';
/** Refresh when the access token has less than this left. */
const REFRESH_MARGIN_S = 60;

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export interface HttpTransportOptions {
  /** Origin of the API server; the page's own origin by default. */
  baseUrl?: string;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
}

export class HttpTransport implements Transport {
  readonly mode = 'http' as const;
  private tokens: Tokens | undefined;
  private _session: Session | undefined;
  private readonly sessionChanged = new Emitter<Session | undefined>();
  private readonly liveChanged = new Emitter<boolean>();
  private readonly client: ApiClient;
  /** For the token operations themselves (login, refresh, logout): no token, no refresh. */
  private readonly anon: ApiClient;
  private readonly base: string;
  private readonly storage: HttpTransportOptions['storage'];
  private refreshing: Promise<boolean> | undefined;
  private readonly topicListeners = new Map<EventTopic, Set<(ev: unknown) => void>>();
  private es: EventSource | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectDelay = 1000;
  private live = false;

  constructor(private readonly opts: HttpTransportOptions = {}) {
    this.base = (opts.baseUrl ?? globalThis.location?.origin ?? '').replace(/\/+$/, '');
    this.storage = opts.storage ?? globalThis.sessionStorage;
    const fetchFn = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.anon = createHttpClient({ baseUrl: this.base, fetch: fetchFn });
    this.client = createHttpClient({
      baseUrl: this.base,
      fetch: fetchFn,
      getAccessToken: async () => {
        await this.refreshIfDue();
        return this.tokens?.accessToken;
      },
      onUnauthorized: () => this.refresh(),
    });
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      if (raw) this.tokens = JSON.parse(raw) as Tokens;
    } catch {
      this.tokens = undefined;
    }
  }

  get session(): Session | undefined {
    return this._session;
  }

  onSessionChange(l: (s: Session | undefined) => void): () => void {
    return this.sessionChanged.on(l);
  }

  onLiveState(l: (connected: boolean) => void): () => void {
    l(this.live);
    return this.liveChanged.on(l);
  }

  async call<K extends OperationId>(op: K, input: OpInput<K>): Promise<OpOutput<K>> {
    try {
      const publicOp = op === 'auth.login' || op === 'auth.refresh' || op === 'auth.logout';
      const out = await (publicOp ? this.anon : this.client).call(op, input);
      if (op === 'auth.changePassword') this.adopt(out as TokenPair);
      return out;
    } catch (err) {
      // A refresh that failed means the session is over: back to the login page.
      if (err instanceof ApiError && err.status === 401 && this.tokens && op !== 'auth.login') this.clear();
      throw err;
    }
  }

  async restore(): Promise<Session | undefined> {
    if (!this.tokens) return undefined;
    try {
      const user = await this.client.call('auth.me', {});
      this.setSession({ user });
    } catch {
      this.clear();
    }
    return this._session;
  }

  async login(username: string, password: string): Promise<Session> {
    const pair = await this.anon.call('auth.login', { body: { username, password } });
    this.adopt(pair);
    return this._session as Session;
  }

  async logout(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    this.clear();
    if (refreshToken) await this.anon.call('auth.logout', { body: { refreshToken } }).catch(() => undefined);
  }

  async reloadUser(): Promise<void> {
    const user = await this.call('auth.me', {});
    this.setSession({ user });
  }

  subscribe<T extends EventTopic>(topic: T, listener: (ev: ServerEventOf<T>) => void): () => void {
    let set = this.topicListeners.get(topic);
    if (!set) {
      set = new Set();
      this.topicListeners.set(topic, set);
    }
    const l = listener as (ev: unknown) => void;
    set.add(l);
    this.ensureStream();
    return () => {
      set.delete(l);
      if ([...this.topicListeners.values()].every((s) => s.size === 0)) this.closeStream();
    };
  }

  // --- tokens ---------------------------------------------------------------------------

  private adopt(pair: TokenPair): void {
    this.tokens = { accessToken: pair.accessToken, refreshToken: pair.refreshToken };
    this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.tokens));
    this.setSession({ user: pair.user });
    // A new token: reconnect the stream with it.
    if (this.es) this.openStream();
  }

  private clear(): void {
    this.tokens = undefined;
    this.storage?.removeItem(STORAGE_KEY);
    this.closeStream();
    this.setSession(undefined);
  }

  private setSession(s: Session | undefined): void {
    this._session = s;
    this.sessionChanged.emit(s);
  }

  private async refreshIfDue(): Promise<void> {
    if (!this.tokens) return;
    const exp = peekJwt(this.tokens.accessToken)?.exp;
    if (exp !== undefined && exp - Date.now() / 1000 < REFRESH_MARGIN_S) await this.refresh();
  }

  /** One refresh at a time; resolves false (and signs out) when the refresh token is no good. */
  private refresh(): Promise<boolean> {
    if (!this.tokens) return Promise.resolve(false);
    this.refreshing ??= (async () => {
      try {
        const pair = await this.anon.call('auth.refresh', {
          body: { refreshToken: (this.tokens as Tokens).refreshToken },
        });
        this.adopt(pair);
        return true;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 400)) this.clear();
        return false;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  // --- Server-Sent Events ---------------------------------------------------------------

  /** The stream is for operators and admins: a plain user's would only ever answer 403. */
  private streamAllowed(): boolean {
    return this.tokens !== undefined && this._session !== undefined && roleAllows(this._session.user.role, 'operator');
  }

  private ensureStream(): void {
    if (!this.es && !this.reconnectTimer && this.streamAllowed()) this.openStream();
  }

  private setLive(v: boolean): void {
    if (v === this.live) return;
    this.live = v;
    this.liveChanged.emit(v);
  }

  private openStream(): void {
    this.es?.close();
    this.es = undefined;
    if (!this.streamAllowed() || !this.tokens) return;
    const ES = this.opts.EventSource ?? globalThis.EventSource;
    const url = `${this.base}${API_PREFIX}${EVENTS_PATH}?access_token=${encodeURIComponent(this.tokens.accessToken)}`;
    const es = new ES(url);
    this.es = es;
    es.onopen = () => {
      this.reconnectDelay = 1000;
      this.setLive(true);
    };
    for (const topic of EVENT_TOPICS) {
      es.addEventListener(topic, (m: MessageEvent<string>) => {
        let data: unknown;
        try {
          data = JSON.parse(m.data);
        } catch {
          return;
        }
        for (const l of this.topicListeners.get(topic) ?? []) l(data);
      });
    }
    es.onerror = () => {
      // EventSource would retry with the same (maybe expired) token: do it ourselves.
      if (this.es !== es) return;
      es.close();
      this.es = undefined;
      this.setLive(false);
      const delay = this.reconnectDelay;
      this.reconnectDelay = Math.min(30_000, this.reconnectDelay * 2);
      // EventSource does not tell a 403 from a network error: ask who we are first (a role
      // changed to user, or a session that ended, stops the retries instead of looping).
      this.reconnectTimer = setTimeout(() => {
        void this.refreshIfDue()
          .then(() => this.reloadUser())
          .catch(() => undefined)
          .then(() => {
            this.reconnectTimer = undefined;
            if ([...this.topicListeners.values()].some((s) => s.size > 0)) this.openStream();
          });
      }, delay);
    };
  }

  private closeStream(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.es?.close();
    this.es = undefined;
    this.setLive(false);
  }
}
