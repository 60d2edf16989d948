/**
 * A rate limit for the log lines clients can cause (malformed records, refused or timed-out
 * connections, refused mounts): a fuzzing client must not be able to fill the disk or bury
 * every other line. Per cause and client address, the first `burst` lines of a window of
 * `intervalMs` are written; the rest are counted. The count is reported as `suppressed` on
 * the next line written for that cause and client after the window, or, if none comes, in
 * a summary line once the window is over.
 */
import type { Logger } from 'pino';

export interface LogLimits {
  /** Lines written per cause and client in each window. */
  burst: number;
  intervalMs: number;
  /** Cause + client pairs tracked at once; beyond that, new clients share one count per cause. */
  maxKeys: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { burst: 5, intervalMs: 60_000, maxKeys: 256 };

type Level = 'warn' | 'info';

interface Window {
  start: number;
  written: number;
  suppressed: number;
  /** The cause's line, for the summary. */
  level: Level;
  cause: string;
  client: string;
  msg: string;
}

/** Stands for every client beyond maxKeys. */
const OTHER_CLIENTS = '*';

export class LogLimiter {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Pick<Logger, Level>,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
  ) {}

  warn(cause: string, client: string, fields: Record<string, unknown>, msg: string): void {
    this.write('warn', cause, client, fields, msg);
  }

  info(cause: string, client: string, fields: Record<string, unknown>, msg: string): void {
    this.write('info', cause, client, fields, msg);
  }

  /** Writes the pending summaries and stops the timer. */
  close(): void {
    this.summarize(Number.POSITIVE_INFINITY);
    this.stopTimer();
  }

  private write(level: Level, cause: string, client: string, fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    const key = this.keyOf(cause, client);
    let window = this.windows.get(key);
    let suppressed = 0;
    if (window !== undefined && now - window.start >= this.limits.intervalMs) {
      suppressed = window.suppressed;
      window = undefined;
    }
    if (window === undefined) {
      window = { start: now, written: 0, suppressed: 0, level, cause, client: key.slice(cause.length + 1), msg };
      this.windows.set(key, window);
      this.startTimer();
    }
    if (window.written >= this.limits.burst) {
      window.suppressed++;
      return;
    }
    window.written++;
    this.logger[level]({ client, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, msg);
  }

  private keyOf(cause: string, client: string): string {
    const key = `${cause}\0${client}`;
    if (this.windows.has(key) || this.windows.size < this.limits.maxKeys) return key;
    return `${cause}\0${OTHER_CLIENTS}`;
  }

  /** Reports the suppressed lines of every window over by `now`, and forgets those windows. */
  private summarize(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.start < this.limits.intervalMs) continue;
      this.windows.delete(key);
      if (w.suppressed > 0) {
        this.logger[w.level](
          { client: w.client, cause: w.cause, suppressed: w.suppressed },
          `${w.suppressed} more like this suppressed: ${w.msg}`,
        );
      }
    }
    if (this.windows.size === 0) this.stopTimer();
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.summarize(Date.now()), this.limits.intervalMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
