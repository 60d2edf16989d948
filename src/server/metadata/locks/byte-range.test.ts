// The shared byte-range lock table: conflicts between owners, stacking on one's own
// exclusive lock, Windows' zero-length rule, all-or-nothing requests, exclusive-first
// unlock, and the read/write checks of MS-FSA §2.1.4.10.
import { describe, expect, it } from 'vitest';
import { ByteRangeLocks, type RangeLock } from './byte-range.ts';

const L = (owner: string, offset: number, length: number, exclusive: boolean): RangeLock => ({
  owner,
  offset: BigInt(offset),
  length: BigInt(length),
  exclusive,
});

describe('ByteRangeLocks', () => {
  it('exclusive conflicts with any overlap; shared only with another owner’s exclusive', () => {
    const t = new ByteRangeLocks();
    expect(t.lock('f', [L('a', 0, 10, true)])).toBe(true);
    expect(t.lock('f', [L('b', 5, 10, false)])).toBe(false);
    expect(t.lock('f', [L('a', 5, 2, false)])).toBe(true); // stacked on its own exclusive lock
    expect(t.lock('f', [L('a', 5, 2, true)])).toBe(false);
    expect(t.lock('f', [L('b', 10, 5, true)])).toBe(true); // adjacent
    expect(t.lock('other', [L('b', 0, 10, true)])).toBe(true);
  });

  it('zero-length locks meet only ranges holding them strictly inside', () => {
    const t = new ByteRangeLocks();
    expect(t.lock('f', [L('a', 10, 0, true)])).toBe(true);
    expect(t.lock('f', [L('b', 10, 0, true)])).toBe(true);
    expect(t.lock('f', [L('b', 10, 2, true)])).toBe(true);
    expect(t.lock('f', [L('b', 9, 2, true)])).toBe(false);
  });

  it('a request is all or nothing, and unlock takes exclusive before shared', () => {
    const t = new ByteRangeLocks();
    t.lock('f', [L('a', 100, 10, true)]);
    expect(t.lock('f', [L('b', 0, 10, true), L('b', 105, 1, true)])).toBe(false);
    expect(t.lock('f', [L('c', 0, 10, true)])).toBe(true); // b's first lock was not kept
    t.lock('f', [L('a', 100, 10, false)]);
    expect(t.unlock('f', 'a', 100n, 10n)).toBe(true); // the exclusive one
    expect(t.lock('f', [L('b', 100, 10, false)])).toBe(true);
    expect(t.unlock('f', 'a', 100n, 11n)).toBe(false);
  });

  it('reads and writes against locks, and release on close', () => {
    const t = new ByteRangeLocks();
    t.lock('f', [L('a', 0, 10, true), L('a', 20, 10, false)]);
    expect(t.allows('f', 'b', 5n, 1n, false)).toBe(false);
    expect(t.allows('f', 'a', 5n, 1n, true)).toBe(true);
    expect(t.allows('f', 'b', 25n, 1n, false)).toBe(true);
    expect(t.allows('f', 'b', 25n, 1n, true)).toBe(false);
    expect(t.allows('f', 'a', 25n, 1n, true)).toBe(false); // one's own shared lock blocks writes too
    t.release('f', 'a');
    expect(t.allows('f', 'b', 0n, 100n, true)).toBe(true);
  });
});
