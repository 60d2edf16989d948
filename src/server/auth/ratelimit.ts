/**
 * Login throttling: failed attempts are counted per (user name, client address) in a
 * sliding window; past the limit further attempts are refused, without checking the
 * password, until the oldest failure leaves the window. A success clears the key.
 */
export interface RateLimitOptions {
  /** Failures allowed in the window (default 5). */
  maxFailures?: number;
  /** Window length (default 15 minutes). */
  windowMs?: number;
  /** Keys kept at most; the oldest are dropped past it (default 10 000). */
  maxKeys?: number;
  now?: () => number;
}

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(opts: RateLimitOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 5;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  static key(username: string, ip: string): string {
    return `${username.toLowerCase()}\u0000${ip}`;
  }

  /** Milliseconds until a new attempt is allowed; 0 when allowed now. */
  retryAfterMs(username: string, ip: string): number {
    const list = this.recent(LoginRateLimiter.key(username, ip));
    if (list.length < this.maxFailures) return 0;
    const oldest = list[list.length - this.maxFailures] as number;
    return Math.max(1, oldest + this.windowMs - this.now());
  }

  fail(username: string, ip: string): void {
    const key = LoginRateLimiter.key(username, ip);
    const list = this.recent(key);
    list.push(this.now());
    // Re-insert so the map stays ordered by last activity.
    this.failures.delete(key);
    this.failures.set(key, list.slice(-this.maxFailures));
    while (this.failures.size > this.maxKeys) {
      const first = this.failures.keys().next().value as string;
      this.failures.delete(first);
    }
  }

  succeed(username: string, ip: string): void {
    this.failures.delete(LoginRateLimiter.key(username, ip));
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}
