import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ShareUsageCache } from './share-usage.ts';

const sample = (op: string, bytesWritten = 0) => ({
  protocol: 'nfs3' as const,
  op,
  share: '/s',
  clientAddr: '10.0.0.9',
  bytesRead: 0,
  bytesWritten,
  latencyMs: 1,
  status: 'ok',
});

describe('ShareUsageCache: sizes for the share list without waiting for a walk', () => {
  it('measures in the background, again after a minute, sooner after a change', async () => {
    let walks = 0;
    const cache = new ShareUsageCache(
      { usage: async () => ({ bytes: ++walks * 100, files: 1, complete: true }) },
      pino({ level: 'silent' }),
      { maxAgeMs: 60_000, changedAgeMs: 5_000, maxEntries: 10 },
    );
    expect(cache.get('/s')).toBeNull(); // first look: measuring
    await cache.measure('/s');
    const t0 = Date.now();
    expect(cache.get('/s', t0)?.bytes).toBe(100);
    expect(cache.get('/s', t0 + 10_000)?.bytes).toBe(100); // a read changes nothing
    expect(walks).toBe(1);
    cache.observe(sample('READ'));
    expect(cache.get('/s', t0 + 10_000)?.bytes).toBe(100);
    expect(walks).toBe(1);
    cache.observe(sample('WRITE', 4096));
    cache.get('/s', t0 + 10_000); // changed and 5 s old: measured again
    await cache.measure('/s');
    expect(walks).toBe(2);
    const t1 = Date.now();
    expect(cache.get('/s', t1)?.bytes).toBe(200);
    // Another walk is due within 5 s: the list is told to ask again soon.
    expect(cache.get('/s', t1)?.measuring).toBe(true);
    // After a change-driven walk, one more 5 s later (sizes may land after the walk), then back to a minute.
    expect(cache.get('/s', t1 + 6_000)?.measuring).toBe(true);
    await cache.measure('/s');
    expect(walks).toBe(3);
    expect(cache.get('/s', Date.now() + 6_000)?.measuring).toBe(false);
    expect(walks).toBe(3);
  });
});
