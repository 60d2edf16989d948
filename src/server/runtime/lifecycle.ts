import type { Logger } from 'pino';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Lifecycle sub-service: serve until SIGINT/SIGTERM, then shut down gracefully within
 * `deadlineMs`; a second signal or the deadline forces exit code 1.
 */
export function serveUntilSignal(target: Stoppable, logger: Logger, deadlineMs: number): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        resolve(1);
        return;
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error({ deadlineMs }, 'shutdown deadline passed: exiting');
        resolve(1);
      }, deadlineMs + 1000);
      timer.unref();
      target.stop().then(
        () => {
          clearTimeout(timer);
          logger.info('stopped');
          resolve(0);
        },
        (err: unknown) => {
          clearTimeout(timer);
          logger.error({ err: (err as Error).message }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
