/**
 * Stops calling an endpoint that keeps failing: after `threshold` failures in a row the
 * circuit opens and calls fail at once (RETRY_LATER: NFS3ERR_JUKEBOX, the client retries)
 * for `cooldownMs`; then one call is let through as a probe, and its outcome closes the
 * circuit or opens it again. Clients of a dead S3 endpoint get a fast answer instead of
 * every request waiting out its timeouts and retries.
 */
import { DittoError } from '../../../../shared/errors.ts';

export interface CircuitOptions {
  threshold: number;
  cooldownMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;
  private readonly now: () => number;

  constructor(
    private readonly what: string,
    private readonly options: CircuitOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get open(): boolean {
    return this.openedAt !== undefined;
  }

  /** Runs `call` unless the circuit is open; `isOutage` tells failures of the endpoint from answers (a missing key). */
  async run<T>(call: () => Promise<T>, isOutage: (err: unknown) => boolean): Promise<T> {
    const probe = this.admit();
    try {
      const value = await call();
      this.failures = 0;
      this.openedAt = undefined;
      return value;
    } catch (err) {
      if (isOutage(err)) {
        this.failures++;
        if (probe || this.failures >= this.options.threshold) this.openedAt = this.now();
      }
      throw err;
    } finally {
      if (probe) this.probing = false;
    }
  }

  /** Whether this call is the probe of a half-open circuit; throws while the circuit is open. */
  private admit(): boolean {
    if (this.openedAt === undefined) return false;
    const waited = this.now() - this.openedAt;
    if (waited < this.options.cooldownMs || this.probing) {
      const left = Math.max(0, Math.ceil((this.options.cooldownMs - waited) / 1000));
      throw new DittoError('RETRY_LATER', `${this.what} is unreachable; trying again in ${left} s`);
    }
    this.probing = true;
    return true;
  }
}
