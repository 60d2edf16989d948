import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QuickIo } from './quick-io.ts';

describe('QuickIo', () => {
  let dir: string;
  let fd: number;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'quick-io-'));
    fd = openSync(path.join(dir, 'f'), 'w+');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes and reads small ranges on the event loop', async () => {
    const io = new QuickIo();
    expect(await io.write(fd, Buffer.from('xxhello'), 2, 5, 10)).toBe(5);
    const buf = Buffer.alloc(8);
    expect(await io.read(fd, buf, 1, 7, 8)).toBe(7);
    expect(buf.toString('latin1')).toBe('\0\0\0hello');
    expect(readFileSync(path.join(dir, 'f')).subarray(10).toString()).toBe('hello');
    expect(io.calls).toEqual({ loop: 2, pool: 0 });
  });

  it('sends calls larger than maxBytes to the threadpool', async () => {
    const io = new QuickIo({ maxBytes: 4 });
    expect(await io.write(fd, Buffer.from('hello'), 0, 5, 0)).toBe(5);
    expect(await io.write(fd, Buffer.from('hi'), 0, 2, 0)).toBe(2);
    expect(io.calls).toEqual({ loop: 1, pool: 1 });
  });

  it('after slow calls, sends calls to the threadpool for poolMs, then back to the loop', async () => {
    // Every call takes longer than 4 x slowMs: the average crosses slowMs at the third.
    const io = new QuickIo({ slowMs: 1e-6, poolMs: 50 });
    const buf = Buffer.alloc(4);
    for (let i = 0; i < 5; i++) await io.read(fd, buf, 0, 4, 0);
    expect(io.calls).toEqual({ loop: 3, pool: 2 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await io.read(fd, buf, 0, 4, 0);
    expect(io.calls).toEqual({ loop: 4, pool: 2 });
  });

  it('one slow call (the process preempted) keeps calls on the loop', async () => {
    const io = new QuickIo({ slowMs: 1000, poolMs: 50 });
    const buf = Buffer.alloc(4);
    // Seen as a call of 4 s (the cap): the average rises to 500 ms, under slowMs.
    (io as unknown as { averageMs: number }).averageMs = 4000 / 8;
    for (let i = 0; i < 3; i++) await io.read(fd, buf, 0, 4, 0);
    expect(io.calls).toEqual({ loop: 3, pool: 0 });
  });

  it('rejects (never throws) on a failed call, on the loop and on the pool', async () => {
    const closed = openSync(path.join(dir, 'g'), 'w');
    closeSync(closed);
    for (const io of [new QuickIo(), new QuickIo({ maxBytes: 0 })]) {
      const p = io.read(closed, Buffer.alloc(4), 0, 4, 0);
      await expect(p).rejects.toMatchObject({ code: 'EBADF' });
    }
  });
});
