// The content operations NFSv4.2 and SMB2 share, over the real PayloadService with an
// in-memory block store: copies across chunk boundaries, zeros, and the data ranges a
// sparse file reports (4 KiB all-zero granules are holes; past the scan limit, data).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBlockStore } from '../payload/stores/memory/memory-store.ts';
import { PayloadService } from '../payload/service.ts';
import { copyRange, dataRanges, IO_CHUNK, zeroRange } from './content-range.ts';

function payloadService(): PayloadService {
  const p = new PayloadService();
  p.registerShare('/s', new MemoryBlockStore());
  return p;
}

const file = (payloadId: string) => ({ share: '/s', payloadId });
const KB = 1024;

describe('content ranges', () => {
  it('copies a range over several chunks, to another offset', async () => {
    const p = payloadService();
    const data = randomBytes(2 * IO_CHUNK + 123);
    await p.writeAt('/s', 'a', data, 0);
    await copyRange(p, file('a'), 5, file('b'), 7, data.length - 5);
    expect((await p.readAt('/s', 'b', 7, data.length - 5)).equals(data.subarray(5))).toBe(true);
    expect((await p.readAt('/s', 'b', 0, 7)).equals(Buffer.alloc(7))).toBe(true);
  });

  it('writes zeros over a range and leaves the rest', async () => {
    const p = payloadService();
    const data = randomBytes(IO_CHUNK + 10 * KB);
    await p.writeAt('/s', 'a', data, 0);
    await zeroRange(p, file('a'), KB, IO_CHUNK + KB);
    const back = await p.readAt('/s', 'a', 0, data.length);
    expect(back.subarray(0, KB).equals(data.subarray(0, KB))).toBe(true);
    expect(back.subarray(KB, IO_CHUNK + KB).equals(Buffer.alloc(IO_CHUNK))).toBe(true);
    expect(back.subarray(IO_CHUNK + KB).equals(data.subarray(IO_CHUNK + KB))).toBe(true);
  });

  it('reports data runs at 4 KiB granules, clipped to the range asked', async () => {
    const p = payloadService();
    // Data at [4K, 12K) and [2M, 2M+100); the rest never written (zeros).
    await p.writeAt('/s', 'a', randomBytes(8 * KB), 4 * KB);
    await p.writeAt('/s', 'a', Buffer.alloc(100, 1), 2 * IO_CHUNK);
    const end = 2 * IO_CHUNK + 100;
    expect(await dataRanges(p, file('a'), 0, end, Infinity)).toEqual([
      { offset: 4 * KB, length: 8 * KB },
      { offset: 2 * IO_CHUNK, length: 100 },
    ]);
    // Unaligned bounds clip the runs; a granule is data if any byte of it is.
    expect(await dataRanges(p, file('a'), 5 * KB, 6 * KB + 1, Infinity)).toEqual([{ offset: 5 * KB, length: KB + 1 }]);
    expect(await dataRanges(p, file('a'), 12 * KB, IO_CHUNK, Infinity)).toEqual([]);
  });

  it('counts everything past the scan limit as data', async () => {
    const p = payloadService();
    await p.writeAt('/s', 'a', Buffer.alloc(KB, 1), 0);
    expect(await dataRanges(p, file('a'), 0, 64 * KB, 16 * KB)).toEqual([
      { offset: 0, length: 4 * KB },
      { offset: 16 * KB, length: 48 * KB },
    ]);
  });
});
