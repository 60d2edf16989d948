import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { Lifecycle } from './lifecycle.ts';

const logger = pino({ level: 'silent' });

describe('Lifecycle', () => {
  it('a stop request that came during start-up stops the server as soon as it serves: exit code 0', async () => {
    const exit = vi.fn();
    const lifecycle = new Lifecycle(logger, 1000, exit);
    lifecycle.requestStop({ signal: 'SIGTERM' });
    expect(lifecycle.stopRequested.aborted).toBe(true);
    const stop = vi.fn(async () => undefined);
    expect(await lifecycle.serveUntilStop({ stop })).toBe(0);
    expect(stop).toHaveBeenCalledOnce();
    expect(exit).not.toHaveBeenCalled();
  });

  it('waits for the request when serving; start-up that gave up has nothing to stop', async () => {
    const lifecycle = new Lifecycle(logger, 1000, vi.fn());
    const served = lifecycle.serveUntilStop();
    let done = false;
    void served.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    lifecycle.requestStop({ signal: 'SIGINT' });
    expect(await served).toBe(0);
  });

  it('a second request exits at once with 1; a failed stop answers 1', async () => {
    const exit = vi.fn();
    const lifecycle = new Lifecycle(logger, 1000, exit);
    lifecycle.requestStop({ signal: 'SIGTERM' });
    lifecycle.requestStop({ signal: 'SIGTERM' });
    expect(exit).toHaveBeenCalledWith(1);
    expect(await lifecycle.serveUntilStop({ stop: () => Promise.reject(new Error('disk gone')) })).toBe(1);
  });
});
