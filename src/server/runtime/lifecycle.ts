import type { Logger } from 'pino';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Lifecycle sub-service: one stop request (SIGINT, SIGTERM, the desktop's stop message) is
 * honoured whenever it comes. During start-up it aborts `stopRequested`, and start-up stops
 * at its next consistent point and undoes what it started (entry/server.ts); once serving,
 * the server is stopped gracefully. Either way the process logs "stopped" and exits 0 within
 * `deadlineMs` of the request; a second request, the deadline or a failed stop exit with 1.
 */
export class Lifecycle {
  private readonly controller = new AbortController();
  /** Aborted at the first stop request. */
  readonly stopRequested: AbortSignal = this.controller.signal;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs: number,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /**
   * Treats SIGINT and SIGTERM as stop requests from now on, and `held` (signals that came
   * before anyone listened, see bin/dfs.js) as if they came now.
   */
  handleSignals(held: readonly NodeJS.Signals[] = []): void {
    const onSignal = (signal: NodeJS.Signals): void => this.requestStop({ signal });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    for (const signal of held) onSignal(signal);
  }

  requestStop(why: Record<string, unknown>): void {
    if (this.stopRequested.aborted) {
      this.logger.warn(why, 'second stop request: exiting now');
      this.exit(1);
      return;
    }
    this.logger.info(why, 'shutting down');
    this.deadline = setTimeout(() => {
      this.logger.error({ deadlineMs: this.deadlineMs }, 'shutdown deadline passed: exiting');
      this.exit(1);
    }, this.deadlineMs + 1000);
    this.deadline.unref();
    this.controller.abort();
  }

  /** Resolves at the stop request (at once if it came already), keeping the process alive until then. */
  async whenStopRequested(): Promise<void> {
    if (this.stopRequested.aborted) return;
    // Signal listeners do not keep Node running: with nothing else to wait for, it would just exit.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    await new Promise((resolve) => this.stopRequested.addEventListener('abort', resolve, { once: true }));
    clearInterval(keepAlive);
  }

  /**
   * Waits for the stop request (at once if it came already), then stops `target` (nothing
   * when start-up gave up before there was anything to stop). Resolves with the exit code.
   */
  async serveUntilStop(target?: Stoppable): Promise<number> {
    await this.whenStopRequested();
    try {
      await target?.stop();
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'shutdown failed');
      return 1;
    } finally {
      clearTimeout(this.deadline);
    }
    this.logger.info('stopped');
    return 0;
  }
}
