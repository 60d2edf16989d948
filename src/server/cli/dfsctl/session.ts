/** dfsctl session: the selected context and a client that keeps its tokens fresh. */
import { ApiError, createHttpClient, peekJwt, type ApiClient } from '../../../shared/api/client.ts';
import type { TokenPair } from '../../../shared/api/schemas.ts';
import { DEFAULT_SERVER, loadCredentials, saveCredentials, type Context, type CredentialsFile } from './credentials.ts';
import type { OutputFormat } from './output.ts';

/** The options of the program itself. */
export interface GlobalOpts {
  server?: string;
  context?: string;
  output: OutputFormat;
}

export class Session {
  readonly file: CredentialsFile;
  readonly name: string;
  readonly ctx: Context;

  constructor(readonly opts: GlobalOpts) {
    this.file = loadCredentials();
    this.name = opts.context ?? this.file.current ?? 'default';
    const existing = this.file.contexts[this.name];
    this.ctx = existing ? { ...existing } : { server: opts.server ?? DEFAULT_SERVER };
    if (opts.server) this.ctx.server = opts.server;
  }

  get server(): string {
    return this.ctx.server.replace(/\/+$/, '');
  }

  save(): void {
    this.file.contexts[this.name] = this.ctx;
    this.file.current = this.name;
    saveCredentials(this.file);
  }

  storeTokens(t: TokenPair): void {
    this.ctx.username = t.user.username;
    this.ctx.accessToken = t.accessToken;
    this.ctx.refreshToken = t.refreshToken;
    this.save();
  }

  /** A client without credentials (login, refresh). */
  anonymous(): ApiClient {
    return createHttpClient({ baseUrl: this.server });
  }

  client(): ApiClient {
    return createHttpClient({
      baseUrl: this.server,
      getAccessToken: async () => {
        if (!this.ctx.accessToken && !this.ctx.refreshToken) {
          throw new Error(`not signed in to ${this.server}: run dfsctl login`);
        }
        const exp = this.ctx.accessToken ? peekJwt(this.ctx.accessToken)?.exp : undefined;
        if (exp === undefined || exp * 1000 < Date.now() + 30_000) await this.refresh();
        return this.ctx.accessToken;
      },
      onUnauthorized: () => this.refresh(),
    });
  }

  /** Trades the refresh token for a new pair; false when there is none or it was refused. */
  async refresh(): Promise<boolean> {
    const refreshToken = this.ctx.refreshToken;
    if (!refreshToken) return false;
    try {
      this.storeTokens(await this.anonymous().call('auth.refresh', { body: { refreshToken } }));
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        delete this.ctx.accessToken;
        delete this.ctx.refreshToken;
        this.save();
        throw new ApiError({
          type: 'about:blank',
          title: err.title,
          status: 401,
          code: err.code,
          detail: 'session expired: run dfsctl login',
        });
      }
      throw err;
    }
  }
}
