// contentHash is SHA-256 whichever way it runs: in place (small), on the worker reading
// shared memory in place, or on the worker from a copy (ordinary buffers, more at once
// than it has slots for).
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentHash } from './content-hash.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('contentHash', () => {
  it('is the SHA-256 of small, shared and ordinary buffers, many at once', async () => {
    const small = randomBytes(1000);
    const shared = Buffer.from(new SharedArrayBuffer(4 * 1024 * 1024));
    randomBytes(shared.length).copy(shared);
    const ordinary = Array.from({ length: 9 }, (_, i) => randomBytes(256 * 1024 + i));
    const all = [small, shared.subarray(100, 3_000_000), shared, ...ordinary];
    expect(await Promise.all(all.map(contentHash))).toEqual(all.map(sha256));
  });
});
