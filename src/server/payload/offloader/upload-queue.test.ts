// The upload queue's ordering rules: reads that must go to S3 first, fewer uploads while
// writes arrive, a failure pausing the queue and the content retried, drained at the end.
import { describe, expect, it } from 'vitest';
import { UploadQueue } from './upload-queue.ts';

const tick = (ms = 10): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('UploadQueue', () => {
  it('starts no upload while a read waits for S3', async () => {
    const started: string[] = [];
    const q = new UploadQueue({ upload: async (h) => void started.push(h) });
    let finishRead = (): void => undefined;
    const read = q.foreground(() => new Promise<void>((r) => (finishRead = r)));
    q.add('a', 1);
    q.add('b', 1);
    await tick();
    expect(started).toEqual([]);
    finishRead();
    await read;
    await q.drained();
    expect(started.sort()).toEqual(['a', 'b']);
    q.close();
  });

  it('runs at most `whileWriting` uploads while writes arrive, all of them once quiet', async () => {
    let running = 0;
    let peak = 0;
    const q = new UploadQueue({
      whileWriting: 1,
      upload: async () => {
        peak = Math.max(peak, ++running);
        await tick(20);
        running--;
      },
    });
    q.noteWrite();
    for (let i = 0; i < 6; i++) q.add(String(i), 1);
    await tick(100);
    expect(peak).toBe(1);
    await q.drained();
    await tick(600); // writes have stopped
    peak = 0;
    for (let i = 6; i < 14; i++) q.add(String(i), 1);
    await q.drained();
    expect(peak).toBe(4);
    q.close();
  });

  it('puts a failed upload back in line, reports the failure and the recovery', async () => {
    let fail = true;
    const health: (string | undefined)[] = [];
    const q = new UploadQueue({
      maxBackoffMs: 50,
      upload: async () => {
        if (fail) throw new Error('down');
      },
      onHealth: (err) => health.push(err?.message),
    });
    q.add('a', 10);
    await tick(20);
    expect(q.stats()).toMatchObject({ pendingBlocks: 1, pendingBytes: 10, failing: true });
    fail = false;
    await q.drained();
    expect(health).toEqual(['down', undefined]);
    expect(q.stats()).toMatchObject({ pendingBlocks: 0, uploadedBlocks: 1, failing: false });
    q.close();
  });
});
