import { describe, expect, it } from 'vitest';
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
      // Within the wall clock's milliseconds around the call (the strict increase may add ns).
      expect(toMs(t)).toBeGreaterThanOrEqual(before);
      expect(toMs(t)).toBeLessThan(after + 1);
      samples.push(t.nsec % 1_000_000);
      const until = performance.now() + 0.05;
      while (performance.now() < until);
    }
    // A millisecond clock would leave every sub-millisecond remainder at 0.
    expect(samples.filter((r) => r !== 0).length).toBeGreaterThan(40);
  });
});
