import { describe, expect, it } from 'vitest';
import { forEachLimited, Limiter } from './settle.ts';

/** A task that records how many tasks run at once, and finishes when released. */
function gate() {
  let running = 0;
  let most = 0;
  const release: Array<() => void> = [];
  const task = async (): Promise<void> => {
    running++;
    most = Math.max(most, running);
    await new Promise<void>((resolve) => release.push(resolve));
    running--;
  };
  const releaseAll = async (): Promise<void> => {
    while (release.length > 0 || running > 0) {
      release.splice(0).forEach((r) => r());
      await new Promise((r) => setImmediate(r));
    }
  };
  return { task, releaseAll, most: () => most };
}

describe('Limiter', () => {
  it('runs at most max tasks at once, the others in the order they came', async () => {
    const limiter = new Limiter(2);
    const g = gate();
    const order: number[] = [];
    const all = Array.from({ length: 6 }, (_, i) =>
      limiter.run(async () => {
        order.push(i);
        await g.task();
        return i * 10;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1]);
    await g.releaseAll();
    expect(await Promise.all(all)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(g.most()).toBe(2);
  });

  it('a failed task frees its slot and rejects only its own caller', async () => {
    const limiter = new Limiter(1);
    const failed = limiter.run(() => Promise.reject(new Error('boom')));
    const next = limiter.run(async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ok');
  });
});

describe('forEachLimited', () => {
  it('calls fn on every item, at most limit at once, and rejects with the first failure after all settle', async () => {
    const g = gate();
    const seen: number[] = [];
    const done = forEachLimited([1, 2, 3, 4, 5], 3, async (n) => {
      seen.push(n);
      await g.task();
      if (n === 2) throw new Error('two');
    });
    const outcome = done.catch((err: unknown) => err);
    await g.releaseAll();
    expect(await outcome).toMatchObject({ message: 'two' });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(g.most()).toBe(3);
  });
});
