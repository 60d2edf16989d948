import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { now } from './time.ts';

const toMs = (t: { sec: number; nsec: number }): number => t.sec * 1000 + t.nsec / 1e6;

describe('now', () => {
  it('increases strictly from call to call', () => {
    let prev = now();
    for (let i = 0; i < 10_000; i++) {
      const t = now();
      expect(t.sec > prev.sec || (t.sec === prev.sec && t.nsec > prev.nsec)).toBe(true);
      expect(t.nsec).toBeGreaterThanOrEqual(0);
      expect(t.nsec).toBeLessThan(1e9);
      prev = t;
    }
  });

  it('follows the wall clock with sub-millisecond digits', () => {
    const samples: number[] = [];
    for (let i = 0; i < 50; i++) {
      const before = Date.now();
      const t = now();
      const after = Date.now();
      // Not before the call; ahead by at most a millisecond (before readings narrow it).
      expect(toMs(t)).toBeGreaterThanOrEqual(before);
      expect(toMs(t)).toBeLessThan(after + 2);
      samples.push(t.nsec % 1_000_000);
      const until = performance.now() + 0.05;
      while (performance.now() < until);
    }
    // A millisecond clock would leave every sub-millisecond remainder at 0.
    expect(samples.filter((r) => r !== 0).length).toBeGreaterThan(40);
  });

  describe('against a simulated wall clock', () => {
    afterEach(() => {
      vi.restoreAllMocks();
      vi.resetModules();
    });

    /**
     * A wall clock in fractional ms, read through Date.now()'s whole milliseconds, and a
     * monotonic clock that `stepBy` moves it away from; every reading moves both on by a few
     * µs, and now and then by a pause of up to 0.7 ms (calls come at any point in a millisecond).
     */
    function simulatedClock(): { wall: () => number; stepBy: (ms: number) => void } {
      let wall = 1_700_000_000_000.25;
      let monotonicOffset = wall - 5_000;
      const tick = (): void => {
        wall += Math.random() < 0.3 ? Math.random() * 0.7 : 0.002;
      };
      vi.spyOn(Date, 'now').mockImplementation(() => {
        tick();
        return Math.floor(wall);
      });
      vi.spyOn(performance, 'now').mockImplementation(() => {
        tick();
        return wall - monotonicOffset;
      });
      return {
        wall: () => wall,
        stepBy: (ms) => {
          wall += ms;
          monotonicOffset += ms;
        },
      };
    }

    async function freshNow(): Promise<typeof now> {
      vi.resetModules();
      return (await import('./time.ts')).now;
    }

    it('stays at or just ahead of the wall clock, across clock steps both ways', async () => {
      const clock = simulatedClock();
      const stamp = await freshNow();
      // (A step back by more than the readings span is held still by the strict increase above.)
      for (const step of [0, 0.6, -0.4, 250, -0.9]) {
        clock.stepBy(step);
        // Until a reading lands where the old offset cannot explain it, a step forward of less
        // than a millisecond goes unseen, and stamps are behind by at most that step.
        for (let i = 0; i < 300; i++) {
          expect(toMs(stamp())).toBeGreaterThanOrEqual(clock.wall() - Math.max(step, 0));
        }
        for (let i = 0; i < 200; i++) {
          const ahead = toMs(stamp()) - clock.wall();
          expect(ahead).toBeGreaterThanOrEqual(0);
          expect(ahead).toBeLessThan(0.05);
        }
      }
    });
  });
});
