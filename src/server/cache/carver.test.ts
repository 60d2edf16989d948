// When the carver runs: after writes go quiet, or once they have gone on for the longest
// delay (its own logic; the carving itself is journal.test.ts's).
import { afterEach, expect, it, vi } from 'vitest';
import { Carver } from './carver.ts';
import type { SliceCache } from './slices.ts';
import type { WriteLog } from './wal/log.ts';

afterEach(() => {
  vi.useRealTimers();
});

function carverWithClock(): { carver: Carver; passes: number[] } {
  const passes: number[] = [];
  const log = { lastLsn: 0, firstLsn: 1, reclaim: async () => undefined, stats: () => ({ bytes: 0 }) };
  const cache = { stats: () => ({ dirtyBytes: 0 }) };
  const carver = new Carver(new Map(), log as unknown as WriteLog, cache as unknown as SliceCache, {
    syncStore: async () => undefined,
    delayMs: 500,
    maxDelayMs: 2000,
    onPass: () => passes.push(Math.round(performance.now())),
  });
  carver.runner = async () => undefined;
  return { carver, passes };
}

it('carves once writes have been quiet for the delay, or after the longest delay while they go on', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'], now: 0 });
  const { carver, passes } = carverWithClock();
  // A write every 100 ms for 3 s: never quiet, so the longest delay (2 s) starts a pass.
  for (let t = 0; t < 3000; t += 100) {
    carver.soon();
    await vi.advanceTimersByTimeAsync(100);
  }
  expect(passes).toEqual([2000]);
  // Then quiet: the writes after that pass are carved 500 ms after the last of them.
  await vi.advanceTimersByTimeAsync(1000);
  expect(passes).toEqual([2000, 3400]);
  // A lone write: 500 ms later.
  carver.soon();
  await vi.advanceTimersByTimeAsync(600);
  expect(passes).toEqual([2000, 3400, 4500]);
  await carver.close();
});

it('carves at once when asked with no delay (pressure), whatever the timer', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'], now: 0 });
  const { carver, passes } = carverWithClock();
  carver.soon();
  await vi.advanceTimersByTimeAsync(100);
  carver.soon(0);
  await vi.advanceTimersByTimeAsync(0);
  expect(passes).toEqual([100]);
  await vi.advanceTimersByTimeAsync(1000);
  expect(passes).toEqual([100]); // the timer went with it
  await carver.close();
});
