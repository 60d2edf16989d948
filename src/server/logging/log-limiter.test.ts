import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogLimiter } from './log-limiter.ts';

interface Line {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

/** A real pino logger whose lines are collected, parsed. */
function fakeLogger(): pino.Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const logger = pino(
    { base: undefined, timestamp: false, formatters: { level: (label) => ({ level: label }) } },
    {
      write(json: string) {
        const { level, msg, ...fields } = JSON.parse(json) as Record<string, unknown>;
        lines.push({ level: String(level), fields, msg: String(msg) });
      },
    },
  );
  return Object.assign(logger, { lines });
}

const limits = { burst: 3, intervalMs: 60_000, maxKeys: 4 };

describe('LogLimiter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes the first lines of a window per cause and client, and counts the rest', () => {
    const log = fakeLogger();
    const limiter = new LogLimiter(log, limits);
    for (let i = 0; i < 1000; i++) limiter.warn('bad-record', '10.0.0.1', { i }, 'bad record');
    limiter.warn('bad-record', '10.0.0.2', {}, 'bad record');
    limiter.warn('refused', '10.0.0.1', {}, 'refused');
    expect(log.lines.map((l) => [l.fields.client, l.msg, l.fields.i])).toEqual([
      ['10.0.0.1', 'bad record', 0],
      ['10.0.0.1', 'bad record', 1],
      ['10.0.0.1', 'bad record', 2],
      ['10.0.0.2', 'bad record', undefined],
      ['10.0.0.1', 'refused', undefined],
    ]);
    limiter.close();
  });

  it('reports the count on the next line written after the window', () => {
    const log = fakeLogger();
    const limiter = new LogLimiter(log, limits);
    for (let i = 0; i < 10; i++) limiter.warn('bad-record', '10.0.0.1', {}, 'bad record');
    vi.setSystemTime(Date.now() + 59_000);
    limiter.warn('bad-record', '10.0.0.1', {}, 'bad record');
    expect(log.lines).toHaveLength(3);
    vi.setSystemTime(Date.now() + 1_000);
    limiter.warn('bad-record', '10.0.0.1', {}, 'bad record');
    expect(log.lines).toHaveLength(4);
    expect(log.lines[3]?.fields).toEqual({ client: '10.0.0.1', suppressed: 8 });
    limiter.close();
  });

  it('writes a summary of what it suppressed once the window is over, at the same level', () => {
    const log = fakeLogger();
    const limiter = new LogLimiter(log, limits);
    for (let i = 0; i < 5; i++) limiter.info('mount-refused', '10.0.0.9', {}, 'mount refused');
    limiter.warn('quiet', '10.0.0.9', {}, 'once');
    expect(log.lines).toHaveLength(4);
    vi.advanceTimersByTime(60_000);
    expect(log.lines).toHaveLength(5);
    expect(log.lines[4]).toEqual({
      level: 'info',
      fields: { client: '10.0.0.9', cause: 'mount-refused', suppressed: 2 },
      msg: '2 more like this suppressed: mount refused',
    });
    // Nothing is reported twice, and the timer stops once nothing is tracked.
    vi.advanceTimersByTime(600_000);
    expect(log.lines).toHaveLength(5);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts clients beyond maxKeys together, so many addresses cannot multiply the lines', () => {
    const log = fakeLogger();
    const limiter = new LogLimiter(log, limits);
    for (let i = 0; i < 1000; i++) limiter.warn('bad-record', `10.0.${i >> 8}.${i & 255}`, {}, 'bad record');
    // 4 tracked clients, then 3 lines for all the others together.
    expect(log.lines).toHaveLength(7);
    limiter.close();
    expect(log.lines.at(-1)).toMatchObject({ fields: { client: '*', suppressed: 993 } });
  });

  it('reports what is pending when closed', () => {
    const log = fakeLogger();
    const limiter = new LogLimiter(log, limits);
    for (let i = 0; i < 4; i++) limiter.warn('bad-record', '10.0.0.1', {}, 'bad record');
    limiter.close();
    expect(log.lines.at(-1)?.fields).toEqual({ client: '10.0.0.1', cause: 'bad-record', suppressed: 1 });
    expect(vi.getTimerCount()).toBe(0);
  });
});
