/**
 * Login throttling per source address: it slows a password guesser down and never locks
 * an account.
 *
 * Policy
 * - The key is the source address alone. User names are not part of it, so guessing
 *   100 000 names costs one entry and resets nothing. Every loopback address (127/8, ::1)
 *   is one source, "this computer"; an IPv6 client is its /64, which one host owns whole.
 * - A source's first `freeFailures` (5) failures cost nothing. After that, consecutive
 *   password checks from it are spaced 250 ms apart, doubling with each failure up to
 *   `maxDelayMs` (2 s). One failure is forgotten per `forgetMs` (1 min), so the delay fades
 *   once the guessing stops.
 * - An attempt that comes early is not refused: it gets the source's next free slot, first
 *   come first served, and is held until then. Only when the booked slots already reach
 *   further than `maxWaitMs` (4 s) ahead is it refused (429 with Retry-After). A slot is
 *   booked as if the attempt will fail, so guesses sent in parallel queue up too.
 * - A right password waits for its slot like any attempt, is not counted as a failure, and
 *   does not clear the source's failures. Checking it ahead of the queue would tell a
 *   guesser at full speed which guesses are right; clearing would let anyone with one valid
 *   account reset the delay between guesses. So a process on this computer that guesses one
 *   password at a time delays the owner by at most `maxWaitMs` and never locks them out.
 *   (One that keeps many guesses in flight can fill the queue and make the owner retry
 *   after Retry-After; it still gets only one guess per `maxDelayMs`.)
 * - The table is bounded: at most `maxSources` addresses besides loopback, which always has
 *   its own entry. An entry is dropped only once it carries nothing (failures forgotten, no
 *   slot booked). When the table is full of live entries, a new address shares one overflow
 *   entry with every other newcomer: a flood of addresses is throttled as one and never
 *   evicts an entry that carries a delay.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface ThrottleOptions {
  /** Failures of a source that cost no delay (default 5). */
  freeFailures?: number;
  /** The delay after the first failure past the free ones; doubles with each (default 250 ms). */
  baseDelayMs?: number;
  /** The longest delay between two checks from one source (default 2 s). */
  maxDelayMs?: number;
  /** How far ahead an attempt may be held; later ones are refused (default 2 × maxDelayMs). */
  maxWaitMs?: number;
  /** One failure is forgotten per this much time (default 1 minute). */
  forgetMs?: number;
  /** Addresses tracked at most besides loopback (default 10 000). */
  maxSources?: number;
  now?: () => number;
}

/** The verdict on one attempt: hold it `waitMs` then check the password and call `done`, or refuse it. */
export type Admission =
  { admitted: true; waitMs: number; done(failed: boolean): void } | { admitted: false; retryAfterMs: number };

interface SourceState {
  key: string;
  /** Failures not yet forgotten. */
  failures: number;
  /** Forgetting counts from here: one failure per forgetMs. */
  forgetFrom: number;
  /** Admitted attempts not yet done: each counts as a failure for the spacing. */
  inFlight: number;
  /** The first free slot; booked slots reach up to here. */
  nextFreeAt: number;
}

const LOOPBACK = 'loopback';
const OVERFLOW = 'overflow';

/** The throttle key of a client address: loopback as one, IPv4 as is, IPv6 by its /64. */
export function sourceKey(ip: string): string {
  const addr = ip.replace(/%.*$/, '').toLowerCase();
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(addr)?.[1] ?? addr;
  if (isIPv4(v4)) return v4.startsWith('127.') ? LOOPBACK : v4;
  if (!isIPv6(addr)) return addr;
  const [head = '', tail = ''] = addr.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right].map((g) =>
    Number.parseInt(g, 16),
  );
  if (groups.every((g, i) => g === (i === 7 ? 1 : 0))) return LOOPBACK;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

export class LoginThrottle {
  private readonly sources = new Map<string, SourceState>();
  private readonly loopback: SourceState;
  private readonly overflow: SourceState;
  private readonly freeFailures: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxWaitMs: number;
  private readonly forgetMs: number;
  private readonly maxSources: number;
  /** Failures past this add no delay, so they are not kept (the delay fades sooner). */
  private readonly maxFailures: number;
  private readonly now: () => number;

  constructor(opts: ThrottleOptions = {}) {
    this.freeFailures = opts.freeFailures ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 250;
    this.maxDelayMs = opts.maxDelayMs ?? 2000;
    this.maxWaitMs = opts.maxWaitMs ?? 2 * this.maxDelayMs;
    this.forgetMs = opts.forgetMs ?? 60_000;
    this.maxSources = opts.maxSources ?? 10_000;
    this.maxFailures = this.freeFailures + 1 + Math.ceil(Math.log2(this.maxDelayMs / this.baseDelayMs));
    this.now = opts.now ?? Date.now;
    const t = this.now();
    this.loopback = freshState(LOOPBACK, t);
    this.overflow = freshState(OVERFLOW, t);
  }

  /** Addresses tracked now, besides loopback and overflow (bounded by maxSources). */
  get trackedSources(): number {
    return this.sources.size;
  }

  /** Books the next slot of the attempt's source, or refuses it when the slots booked reach too far. */
  admit(ip: string): Admission {
    const now = this.now();
    const state = this.stateOf(sourceKey(ip), now);
    this.touch(state, now);
    const slot = Math.max(now, state.nextFreeAt);
    if (slot - now > this.maxWaitMs) return { admitted: false, retryAfterMs: slot - now - this.maxWaitMs };
    state.inFlight++;
    state.nextFreeAt = slot + this.delayAfter(state.failures + state.inFlight);
    let finished = false;
    return {
      admitted: true,
      waitMs: slot - now,
      done: (failed) => {
        if (finished) return;
        finished = true;
        const at = this.now();
        this.touch(state, at);
        state.inFlight--;
        if (failed) state.failures = Math.min(this.maxFailures, state.failures + 1);
        this.dropIfIdle(state, at);
      },
    };
  }

  /** The spacing after the n-th failure: none for the free ones, then doubling up to the cap. */
  private delayAfter(failures: number): number {
    if (failures <= this.freeFailures) return 0;
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (failures - this.freeFailures - 1));
  }

  private stateOf(key: string, now: number): SourceState {
    if (key === LOOPBACK) return this.loopback;
    const known = this.sources.get(key);
    if (known) return known;
    // Least recently touched first: drop the ones that carry nothing, up to the first live one.
    for (const oldest of this.sources.values()) {
      if (this.sources.size < this.maxSources || !this.dropIfIdle(oldest, now)) break;
    }
    if (this.sources.size >= this.maxSources) return this.overflow;
    const state = freshState(key, now);
    this.sources.set(key, state);
    return state;
  }

  /** Forgets failures for the time passed and moves the entry to the recent end of the table. */
  private touch(state: SourceState, now: number): void {
    const forgotten = Math.floor((now - state.forgetFrom) / this.forgetMs);
    state.failures = Math.max(0, state.failures - forgotten);
    state.forgetFrom = state.failures === 0 ? now : state.forgetFrom + forgotten * this.forgetMs;
    if (this.sources.get(state.key) === state) {
      this.sources.delete(state.key);
      this.sources.set(state.key, state);
    }
  }

  private dropIfIdle(state: SourceState, now: number): boolean {
    const failures = state.failures - Math.floor((now - state.forgetFrom) / this.forgetMs);
    const idle = failures <= 0 && state.inFlight === 0 && state.nextFreeAt <= now;
    if (idle && this.sources.get(state.key) === state) this.sources.delete(state.key);
    return idle;
  }
}

function freshState(key: string, now: number): SourceState {
  return { key, failures: 0, forgetFrom: now, inFlight: 0, nextFreeAt: now };
}
