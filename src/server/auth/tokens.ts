/**
 * API authentication: sign-in with a password, JWT access tokens (HS256, 15 minutes) and
 * refresh tokens (7 days, rotated on use, revocable). The signing secret comes from
 * DITTOFS_CONTROLPLANE_SECRET or is generated at first start and kept in the control plane.
 *
 * A token names its user by id and carries the user's passwordChangedAt (`pca`): setting a
 * password moves it, so every token issued before stops working. Role and enabled state
 * are read from the user record on every request, so a change applies at once.
 *
 * Password checks (sign-in, password change) take turns per source address (ratelimit.ts):
 * a guesser is slowed down, no account is ever locked.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Logger } from 'pino';
import { DittoError, isDittoError } from '../../shared/errors.ts';
import type { User } from '../controlplane/models.ts';
import type { UserStore } from '../controlplane/store/store.ts';
import type { SettingsService } from '../runtime/settings.ts';
import { LogLimiter } from '../logging/log-limiter.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { LoginThrottle, type Admission, type ThrottleOptions } from './ratelimit.ts';

export const ACCESS_TTL_SECONDS = 15 * 60;
export const REFRESH_TTL_SECONDS = 7 * 24 * 3600;
const ISSUER = 'dittofs';
const AUDIENCE = 'dittofs-api';
const SECRET_SETTING = 'jwtSecret';
const REVOKED_SETTING = 'revokedRefreshTokens';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshExpiresIn: number;
  user: User;
}

export interface TokenClaims {
  sub: string;
  typ: 'access' | 'refresh';
  pca: string;
  jti: string;
  iat: number;
  exp: number;
}

export interface AuthOptions {
  /** DITTOFS_CONTROLPLANE_SECRET; at least 32 characters. */
  secret?: string;
  accessTtlSeconds?: number;
  refreshTtlSeconds?: number;
  throttle?: ThrottleOptions;
  /** Milliseconds since the epoch (tests). */
  now?: () => number;
  /** Holds an attempt until its turn (tests: a clock they move). */
  sleep?: (ms: number) => Promise<unknown>;
}

const INVALID_LOGIN = 'invalid user name or password';

export class AuthService {
  private key: Promise<Uint8Array> | undefined;
  private revoked: Map<string, number> | undefined;
  private readonly throttle: LoginThrottle;
  /** A guesser cannot flood the log: a few "login failed" lines per address a minute. */
  private readonly failureLog: LogLimiter;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<unknown>;
  private readonly accessTtl: number;
  private readonly refreshTtl: number;
  /** Verified against when the user does not exist, so timing does not tell. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UserStore,
    private readonly settings: SettingsService,
    private readonly logger: Logger,
    private readonly options: AuthOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
    this.throttle = new LoginThrottle({ now: this.now, ...options.throttle });
    this.failureLog = new LogLimiter(logger);
    this.accessTtl = options.accessTtlSeconds ?? ACCESS_TTL_SECONDS;
    this.refreshTtl = options.refreshTtlSeconds ?? REFRESH_TTL_SECONDS;
  }

  /** Loads or creates the signing secret (idempotent); called at start so the first login is fast. */
  init(): Promise<Uint8Array> {
    this.key ??= this.loadKey();
    return this.key;
  }

  private async loadKey(): Promise<Uint8Array> {
    const fromEnv = this.options.secret;
    if (fromEnv !== undefined && fromEnv !== '') {
      if (fromEnv.length < 32)
        throw new DittoError('INVALID_ARGUMENT', 'DITTOFS_CONTROLPLANE_SECRET must be at least 32 characters');
      return new TextEncoder().encode(fromEnv);
    }
    let stored = await this.settings.getInternal(SECRET_SETTING);
    if (typeof stored !== 'string' || stored.length < 32) {
      stored = randomBytes(48).toString('base64url');
      await this.settings.setInternal(SECRET_SETTING, stored);
      this.logger.info('generated the API token signing secret');
    }
    return new TextEncoder().encode(stored as string);
  }

  /**
   * Checks a password, after the wait the source address owes (ratelimit.ts); throws
   * UNAUTHENTICATED (same message for unknown user and bad password) or RATE_LIMITED.
   */
  async login(username: string, password: string, ip: string): Promise<IssuedTokens> {
    const attempt = await this.takeTurn(ip, username);
    let user: User | undefined;
    let passwordOk = false;
    try {
      try {
        user = await this.users.getUser(username);
      } catch (err) {
        if (!isDittoError(err, 'NOT_FOUND')) throw err;
      }
      this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      passwordOk = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash));
    } finally {
      attempt.done(!(passwordOk && user?.enabled));
    }
    if (!user || !passwordOk || !user.enabled) {
      const reason = !user ? 'unknown user' : !passwordOk ? 'bad password' : 'disabled';
      this.failureLog.warn('login-failed', ip, { user: username, reason }, 'login failed');
      throw new DittoError('UNAUTHENTICATED', INVALID_LOGIN);
    }
    this.logger.info({ user: user.username, ip }, 'login');
    return this.issue(user);
  }

  /** Trades a refresh token for a new pair; the old refresh token is revoked (rotation). */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const { claims, user } = await this.check(refreshToken, 'refresh');
    await this.revoke(claims.jti, claims.exp);
    return this.issue(user);
  }

  /** Revokes a refresh token. */
  async logout(refreshToken: string): Promise<void> {
    const { claims, user } = await this.check(refreshToken, 'refresh');
    await this.revoke(claims.jti, claims.exp);
    this.logger.info({ user: user.username }, 'logout');
  }

  /**
   * Changes the caller's own password after checking the current one (throttled like
   * sign-in); returns a fresh pair since every earlier token stops working.
   */
  async changePassword(
    user: User,
    currentPassword: string,
    newPassword: string,
    ip: string,
    setPassword: (username: string, password: string) => Promise<User>,
  ): Promise<IssuedTokens> {
    const attempt = await this.takeTurn(ip, user.username);
    let ok = false;
    try {
      ok = await verifyPassword(currentPassword, user.passwordHash);
    } finally {
      attempt.done(!ok);
    }
    if (!ok) throw new DittoError('VALIDATION', 'currentPassword: the current password is wrong');
    if (currentPassword === newPassword)
      throw new DittoError('VALIDATION', 'newPassword: the new password must differ from the current one');
    const updated = await setPassword(user.username, newPassword);
    this.logger.info({ user: user.username }, 'password changed');
    return this.issue(updated);
  }

  /** The user behind a valid access token; UNAUTHENTICATED otherwise. */
  async authenticate(accessToken: string): Promise<{ user: User; claims: TokenClaims }> {
    return this.check(accessToken, 'access');
  }

  /** A token pair for a user (sign-in, password change, the desktop's local session). */
  async issue(user: User): Promise<IssuedTokens> {
    const key = await this.init();
    const nowSec = Math.floor(this.now() / 1000);
    const sign = (typ: 'access' | 'refresh', ttl: number) =>
      new SignJWT({ typ, pca: user.passwordChangedAt })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(user.id)
        .setJti(randomUUID())
        .setIssuedAt(nowSec)
        .setExpirationTime(nowSec + ttl)
        .sign(key);
    return {
      accessToken: await sign('access', this.accessTtl),
      refreshToken: await sign('refresh', this.refreshTtl),
      expiresIn: this.accessTtl,
      refreshExpiresIn: this.refreshTtl,
      user,
    };
  }

  /** Waits for the source's turn to have a password checked, or refuses with RATE_LIMITED. */
  private async takeTurn(ip: string, username: string): Promise<Extract<Admission, { admitted: true }>> {
    const admission = this.throttle.admit(ip);
    if (!admission.admitted) {
      // Debug only: each checked guess already logs "login failed", and refusals come in floods.
      this.logger.debug(
        { user: username, ip, retryAfterMs: admission.retryAfterMs },
        'login refused: too many failures',
      );
      throw new RateLimitedError(Math.ceil(admission.retryAfterMs / 1000));
    }
    if (admission.waitMs > 0) {
      this.logger.debug({ user: username, ip, waitMs: admission.waitMs }, 'login held for its turn');
      await this.sleep(admission.waitMs);
    }
    return admission;
  }

  private async check(token: string, typ: 'access' | 'refresh'): Promise<{ user: User; claims: TokenClaims }> {
    const key = await this.init();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      }));
    } catch (err) {
      throw new DittoError('UNAUTHENTICATED', err instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token');
    }
    const claims = payload as unknown as TokenClaims;
    if (claims.typ !== typ || typeof claims.pca !== 'string') throw new DittoError('UNAUTHENTICATED', 'invalid token');
    if (typ === 'refresh' && (await this.revokedSet()).has(claims.jti))
      throw new DittoError('UNAUTHENTICATED', 'token revoked');
    let user: User;
    try {
      user = await this.users.getUserById(claims.sub);
    } catch (err) {
      if (isDittoError(err, 'NOT_FOUND')) throw new DittoError('UNAUTHENTICATED', 'token user no longer exists');
      throw err;
    }
    if (!user.enabled) throw new DittoError('UNAUTHENTICATED', 'user is disabled');
    if (claims.pca !== user.passwordChangedAt)
      throw new DittoError('UNAUTHENTICATED', 'token issued before the last password change');
    return { user, claims };
  }

  private async revokedSet(): Promise<Map<string, number>> {
    if (!this.revoked) {
      const stored = await this.settings.getInternal(REVOKED_SETTING);
      this.revoked = new Map(
        Array.isArray(stored) ? (stored as [string, number][]).filter((e) => Array.isArray(e) && e.length === 2) : [],
      );
    }
    return this.revoked;
  }

  private async revoke(jti: string, exp: number): Promise<void> {
    const set = await this.revokedSet();
    const nowSec = Math.floor(this.now() / 1000);
    for (const [id, e] of set) if (e < nowSec) set.delete(id);
    set.set(jti, exp);
    await this.settings.setInternal(REVOKED_SETTING, [...set]);
  }
}

/** RATE_LIMITED with the seconds to wait: in words in the detail (what dfsctl and the web UI show) and as Retry-After. */
export class RateLimitedError extends DittoError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    const seconds = Math.max(1, retryAfterSeconds);
    super(
      'RATE_LIMITED',
      `too many failed sign-ins from this address: try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}`,
    );
    this.retryAfterSeconds = seconds;
  }
}
